import { GraphQLError } from 'graphql';
import type { AccessTokenVerifier, RefusalReason, VerifiedViewer } from './verifier.js';

// A yoga / envelop plugin around createAccessTokenVerifier. It needs `graphql` (a peer: the
// server's own copy) and nothing else; its types are written out here so that the package
// does not depend on envelop or yoga either.

/** What the plugin adds to every context. */
export interface AccessTokenContext {
  /** The verified caller, or null when the request carried no acceptable access token. */
  readonly viewer: VerifiedViewer | null;
  /** Why there is no viewer (TOKEN_MISSING when no token was sent); null with a viewer. */
  readonly viewerRefusal: RefusalReason | null;
}

export interface AccessTokenPluginOptions {
  readonly verifier: AccessTokenVerifier;
  /**
   * `'per-field'` (default): every operation runs, and resolvers that need a caller call
   * `requireViewer(context)`. `'every-operation'`: an operation without an accepted token is
   * answered with the refusal before it executes (a subgraph whose every field is protected;
   * note that it refuses the gateway's own `_service` query too).
   */
  readonly mode?: 'per-field' | 'every-operation';
  /** Where the Authorization header is; by default `context.request.headers` (yoga). */
  readonly authorizationOf?: (context: unknown) => string | null | undefined;
}

/** The shape of the envelop hooks this plugin uses (method syntax, so envelop's types fit). */
export interface AccessTokenPlugin {
  onContextBuilding(payload: {
    readonly context: unknown;
    extendContext(extension: AccessTokenContext): void;
  }): Promise<void>;
  onExecute(payload: StoppableOperation): void;
  onSubscribe(payload: StoppableOperation): void;
}

interface StoppableOperation {
  readonly args: { readonly contextValue: unknown };
  setResultAndStopExecution(result: { errors: readonly GraphQLError[] }): void;
}

/**
 * The answer for each refusal, as the service gives it: the same code, reason and message
 * (the service's registry, src/errors.ts; the tests compare them). TOKEN_RESTRICTED is a
 * FORBIDDEN, as the service answers a restricted session; REVOCATION_FEED_DOWN is the
 * verifier's own and says that the caller is not at fault.
 */
export const REFUSALS = {
  TOKEN_MISSING: {
    code: 'UNAUTHENTICATED',
    message: 'Authentication required: send Authorization: Bearer <token>.',
  },
  TOKEN_INVALID: { code: 'UNAUTHENTICATED', message: 'The token is invalid.' },
  TOKEN_EXPIRED: { code: 'UNAUTHENTICATED', message: 'The token has expired.' },
  TOKEN_TYPE_MISMATCH: {
    code: 'UNAUTHENTICATED',
    message:
      'Wrong token type: send the access token to the API and the refresh token only to reissue.',
  },
  SESSION_REVOKED: { code: 'UNAUTHENTICATED', message: 'The session has ended. Log in again.' },
  TOKEN_RESTRICTED: {
    code: 'FORBIDDEN',
    message: 'This session is restricted: finish signing in before using the API.',
  },
  REVOCATION_FEED_DOWN: {
    code: 'SERVICE_UNAVAILABLE',
    message: 'Tokens cannot be checked right now. Try again shortly.',
  },
} as const satisfies Record<RefusalReason, { code: string; message: string }>;

/** The GraphQLError a refusal is answered with: `extensions.code` and `extensions.reason`. */
export function refusalError(reason: RefusalReason): GraphQLError {
  const { code, message } = REFUSALS[reason];
  return new GraphQLError(message, { extensions: { code, reason } });
}

/** The verified caller of a context the plugin built, or the refusal thrown as a GraphQLError. */
export function requireViewer(context: AccessTokenContext): VerifiedViewer {
  if (context.viewer !== null) return context.viewer;
  throw refusalError(context.viewerRefusal ?? 'TOKEN_MISSING');
}

export function useAccessTokenVerifier(options: AccessTokenPluginOptions): AccessTokenPlugin {
  const authorizationOf = options.authorizationOf ?? authorizationOfRequest;
  const everyOperation = options.mode === 'every-operation';

  function refuseUnverified(payload: StoppableOperation): void {
    if (!everyOperation) return;
    const { viewer, viewerRefusal } = payload.args.contextValue as AccessTokenContext;
    if (viewer === null) {
      payload.setResultAndStopExecution({
        errors: [refusalError(viewerRefusal ?? 'TOKEN_MISSING')],
      });
    }
  }

  return {
    async onContextBuilding({ context, extendContext }) {
      const result = await options.verifier.verify(authorizationOf(context));
      extendContext(
        result.ok
          ? { viewer: result.viewer, viewerRefusal: null }
          : { viewer: null, viewerRefusal: result.reason },
      );
    },
    onExecute: refuseUnverified,
    onSubscribe: refuseUnverified,
  };
}

function authorizationOfRequest(context: unknown): string | null {
  const request = (context as { request?: { headers?: { get?: unknown } } }).request;
  const get = request?.headers?.get;
  if (typeof get !== 'function') return null;
  const value: unknown = get.call(request?.headers, 'authorization');
  return typeof value === 'string' ? value : null;
}
