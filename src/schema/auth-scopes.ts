import { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth';
import {
  type Role,
  SESSION_RESTRICTIONS,
  type SessionRestriction,
  type UserRecord,
} from '../auth/ports/records.js';
import type { Viewer } from '../auth/sessions/viewer.js';
import type { GraphQLContext } from './context.js';
import { authenticationError, forbiddenError, restrictedError } from './errors.js';

/** The scopes fields declare; `withAuth` narrows the context of fields behind them. */
export interface AuthScopes {
  /** A verified access token whose session is live and unrestricted. */
  accessToken: boolean;
  /**
   * A verified access token whose session is live, restricted or not, for the few fields a
   * restricted session reaches: see {@link RestrictedReach}.
   */
  restrictedAccessToken: RestrictedReach;
  /** `accessToken`, and the token carries this role. */
  role: Role;
  /** A verified refresh token; only `reissue` asks for it. */
  refreshToken: boolean;
  /**
   * A verified access token at assurance 2 when the account has a confirmed factor
   * (FORBIDDEN / MFA_REQUIRED otherwise). Either value is enforced so here; they differ only
   * in what a gateway is told (auth-directives.ts): `ifEnrolled` accepts the token scope `aal2`
   * or `no_mfa`, `always` (fields about the factors themselves) only `aal2`.
   */
  secondFactor: 'ifEnrolled' | 'always';
}

/**
 * Where a field stays reachable for a restricted session. With restrictions R, it is reachable
 * when it is a remedy of one of R (whatever the others say, so nobody is stuck between two),
 * or when every one of R allows it; otherwise the first of R in the enum's order is reported.
 */
export interface RestrictedReach {
  /** The restrictions that allow the field. */
  readonly under?: readonly SessionRestriction[];
  /** The restrictions the field lifts (or leads to lifting): reachable under any others. */
  readonly remedyOf?: readonly SessionRestriction[];
}

/** Fields every session reaches, restricted or not (me, logout). */
export const UNDER_EVERY_RESTRICTION: RestrictedReach = { under: SESSION_RESTRICTIONS };

/** The restriction that keeps `restrictions` (in the enum's order) from a field; null for none. */
export function blockingRestriction(
  restrictions: readonly SessionRestriction[],
  reach: RestrictedReach,
): SessionRestriction | null {
  const [first] = restrictions;
  if (first === undefined) return null;
  const remedies = reach.remedyOf ?? [];
  if (restrictions.some((restriction) => remedies.includes(restriction))) return null;
  const allowed = reach.under ?? [];
  return restrictions.every((restriction) => allowed.includes(restriction)) ? null : first;
}

/**
 * Builds the request's scope loaders. A failed check throws the precise authentication error,
 * which {@link reportAuthFailure} surfaces; a missing role is a plain `false`, i.e. FORBIDDEN.
 */
export function createScopeLoaders(ctx: GraphQLContext) {
  // requireViewer throws the precise error when there is no valid access token.
  const authenticateAccess = async () => {
    await requireFullViewer(ctx);
    return true;
  };
  return {
    accessToken: authenticateAccess,
    restrictedAccessToken: async (reach: RestrictedReach) => {
      const blocked = blockingRestriction((await requireViewer(ctx)).restrictions, reach);
      if (blocked !== null) throw restrictedError(blocked);
      return true;
    },
    secondFactor: async () => {
      const failed = await ctx.auth.findAssuranceFailure(await requireViewer(ctx));
      if (failed !== null) throw restrictedError(failed.forbidden);
      return true;
    },
    role: async (role: Role) => (await requireFullViewer(ctx)).roles.includes(role),
    refreshToken: async () => {
      // An Authorization header, when sent, wins over the cookie (cookie mode only).
      const cookie = ctx.refreshTokenCookie;
      const authorization = ctx.authorization ?? (cookie === null ? null : `Bearer ${cookie}`);
      const result = await ctx.auth.verifyRefreshToken(authorization);
      if (!result.ok) throw authenticationError(result.failure);
      ctx.refreshToken = result.value;
      return true;
    },
  };
}

const viewers = new WeakMap<GraphQLContext, Promise<Viewer>>();

/**
 * The caller behind the request's access token, checked once per request (the `accessToken`
 * scope and entity lookups share it); throws the precise UNAUTHENTICATED error otherwise.
 */
export function requireViewer(ctx: GraphQLContext): Promise<Viewer> {
  let viewer = viewers.get(ctx);
  if (viewer === undefined) {
    const onUser = (user: UserRecord) => {
      ctx.viewerUser = user;
    };
    viewer = ctx.auth.authenticateAccessToken(ctx.authorization, onUser).then((result) => {
      if (!result.ok) throw authenticationError(result.failure);
      ctx.viewer = result.value;
      return result.value;
    });
    viewers.set(ctx, viewer);
  }
  return viewer;
}

/**
 * {@link requireViewer}, refusing a restricted session with FORBIDDEN and its first
 * restriction as the reason: not UNAUTHENTICATED, which would make clients log out.
 */
export async function requireFullViewer(ctx: GraphQLContext): Promise<Viewer> {
  const viewer = await requireViewer(ctx);
  const [restriction] = viewer.restrictions;
  if (restriction !== undefined) throw restrictedError(restriction);
  return viewer;
}

/** Re-throws the authentication error a scope loader raised; a scope that said no is FORBIDDEN. */
export function reportAuthFailure(failure: AuthFailure): Error {
  return findThrownError(failure) ?? forbiddenError();
}

function findThrownError(failure: AuthFailure): Error | null {
  if ('error' in failure && failure.error) return failure.error;
  if (
    failure.kind === AuthScopeFailureType.AnyAuthScopes ||
    failure.kind === AuthScopeFailureType.AllAuthScopes
  ) {
    for (const child of failure.failures) {
      const error = findThrownError(child);
      if (error !== null) return error;
    }
  }
  return null;
}
