import { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth';
import type { Role } from '../auth/ports/records.js';
import type { Viewer } from '../auth/sessions/viewer.js';
import type { GraphQLContext } from './context.js';
import { authenticationError, forbiddenError, restrictedError } from './errors.js';

/** The scopes fields declare; `withAuth` narrows the context of fields behind them. */
export interface AuthScopes {
  /** A verified access token whose session is live and unrestricted. */
  accessToken: boolean;
  /**
   * A verified access token whose session is live, restricted or not: the few fields a
   * restricted session reaches (me, logout, requestEmailVerification, changeEmail).
   */
  restrictedAccessToken: boolean;
  /** `accessToken`, and the token carries this role. */
  role: Role;
  /** A verified refresh token; only `reissue` asks for it. */
  refreshToken: boolean;
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
    restrictedAccessToken: async () => {
      await requireViewer(ctx);
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
    viewer = ctx.auth.authenticateAccessToken(ctx.authorization).then((result) => {
      if (!result.ok) throw authenticationError(result.failure);
      ctx.viewer = result.value;
      return result.value;
    });
    viewers.set(ctx, viewer);
  }
  return viewer;
}

/**
 * {@link requireViewer}, refusing a restricted session with FORBIDDEN and the restriction's
 * reason (EMAIL_NOT_VERIFIED): not UNAUTHENTICATED, which would make clients log out.
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
