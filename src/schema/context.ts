import type { ClientInfo } from '../auth/client/client-info.js';
import type { UserRecord } from '../auth/ports/records.js';
import type { AuthService } from '../auth/service.js';
import type { Viewer } from '../auth/sessions/viewer.js';
import type { VerifiedToken } from '../auth/tokens/token-types.js';

/**
 * Per-request GraphQL context. Authentication is lazy: nothing about the bearer token is
 * checked until a field's auth scope asks, so public fields such as `login` ignore a bad or
 * expired token entirely.
 */
export interface GraphQLContext {
  readonly auth: AuthService;
  readonly client: ClientInfo;
  /** The raw `Authorization` header value, or null when absent. */
  readonly authorization: string | null;
  /** Cookie mode only: the refresh token from its cookie, which `reissue` accepts. */
  readonly refreshTokenCookie: string | null;
  /** Set by the `accessToken` scope when it passes; fields behind that scope see it non-null. */
  viewer: Viewer | null;
  /**
   * The viewer's user as read with its session by that same check (same snapshot), when the
   * liveness check read it; `me` answers from it instead of reading the user again.
   */
  viewerUser: UserRecord | null;
  /** Set by the `refreshToken` scope when it passes. */
  refreshToken: VerifiedToken | null;
}

export function createGraphQLContext(
  auth: AuthService,
  client: ClientInfo,
  authorization: string | null,
): GraphQLContext {
  return {
    auth,
    client,
    authorization,
    refreshTokenCookie: null,
    viewer: null,
    viewerUser: null,
    refreshToken: null,
  };
}
