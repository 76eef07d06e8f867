import type { Result } from '../../result.js';
import type { AuthGrant } from './grant.js';

/**
 * Hears, for one caller (a request), of every token pair the auth service hands out and of the
 * end of the caller's own session: what a transport that keeps the refresh token itself (a
 * cookie) must follow. Called after the operation has succeeded, before its answer is returned.
 */
export interface TokenListener {
  /** A new pair for `grant.sessionId`; the caller's previous refresh token is retired. */
  issued(grant: AuthGrant): void;
  /** The caller's own session (`sessionId`) was ended: its refresh token is refused from now. */
  ended(sessionId: string): void;
}

/** For callers that keep no token themselves (the bearer API, the CLI, tests). */
export const IGNORE_TOKENS: TokenListener = {
  issued: () => undefined,
  ended: () => undefined,
};

/** What an answer hands out: a result's value on success, nothing on failure, else the answer. */
type Handed<R> = R extends { readonly ok: false }
  ? never
  : R extends { readonly ok: true; readonly value: infer V }
    ? V
    : R;

/** True when F's successful answer may hand out an AuthGrant. */
type IssuesGrant<F> = F extends (...args: never[]) => Promise<infer R>
  ? [Extract<Handed<R>, AuthGrant>] extends [never]
    ? false
    : true
  : false;

/**
 * The names of T's methods whose answer may carry an AuthGrant. The auth service builds these
 * with {@link announceGrants} and types the rest as {@link WithoutGrants}, so adding a method that
 * issues tokens without announcing them does not compile.
 */
export type GrantOperationName<T> = {
  [K in keyof T]: IssuesGrant<T[K]> extends true ? K : never;
}[keyof T];

/** T's methods that issue tokens, and nothing else. */
export type GrantOperations<T> = Pick<T, GrantOperationName<T>>;

/** T's methods that issue no tokens, and nothing else. */
export type WithoutGrants<T> = Omit<T, GrantOperationName<T>>;

/** An auth function that issues tokens, not yet bound to its dependencies `D`. */
type GrantFunction<D> = (deps: D, ...args: never[]) => Promise<Result<AuthGrant, unknown>>;

/** The functions of T bound to their dependencies: what the service exposes. */
export type BoundGrantOperations<D, T> = {
  [K in keyof T]: T[K] extends (deps: D, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * Binds each auth function of `functions` to `deps` so that every grant it hands out first
 * reaches `listener.issued`. One wrapper for all of them; and since the unbound functions still
 * expect their dependencies, they cannot stand in for the announcing ones by mistake.
 */
export function announceGrants<D, T extends Record<keyof T, GrantFunction<D>>>(
  deps: D,
  listener: TokenListener,
  functions: T,
): BoundGrantOperations<D, T> {
  const bound: Partial<Record<keyof T, (...args: never[]) => Promise<Result<AuthGrant, unknown>>>> =
    {};
  for (const name of Object.keys(functions) as (keyof T)[]) {
    const issueGrant: GrantFunction<D> = functions[name];
    bound[name] = async function announceGrant(...args) {
      const result = await issueGrant(deps, ...args);
      if (result.ok) listener.issued(result.value);
      return result;
    };
  }
  // Every key of `functions` was just given its function with `deps` bound: the mapped type.
  return bound as BoundGrantOperations<D, T>;
}
