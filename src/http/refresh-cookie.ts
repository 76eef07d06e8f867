import type { Plugin } from 'graphql-yoga';
import type { AuthService } from '../auth/service.js';
import type { AuthGrant } from '../auth/sessions/grant.js';
import type { TokenPair } from '../auth/tokens/token-pair.js';
import type { Clock } from '../clock.js';
import type { Result } from '../result.js';
import type { GraphQLContext } from '../schema/context.js';

export const REFRESH_TOKEN_COOKIE_NAME = 'refresh_token';

export interface RefreshTokenCookieOptions {
  readonly clock: Clock;
  /** The GraphQL path: the only path the browser sends the cookie to. */
  readonly path: string;
}

/** What the request's operations did that the cookie has to follow. */
interface CookieChange {
  issued: TokenPair | null;
  ended: boolean;
}

/**
 * Cookie mode for browser apps (REFRESH_TOKEN_COOKIE=true). `signUp`, `login` and `reissue` also
 * set the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie on the GraphQL path,
 * so page scripts never hold it; `reissue` accepts it when no Authorization header is sent;
 * `logout` of the current session clears it (as does revoking one's own current session), and
 * `changePassword`, which rotates the refresh token, replaces it.
 *
 * A cookie travels with requests the page did not choose to make. The defences: SameSite=Strict;
 * yoga's CSRF prevention, which the server always runs (`http/graphql-hardening.ts`: a GET or a
 * "simple" POST must carry a header only scripts can add, after a CORS preflight); and the
 * Origin allow-list (`http/origins.ts`), which the configuration requires in this mode.
 */
export function useRefreshTokenCookie(options: RefreshTokenCookieOptions): Plugin<GraphQLContext> {
  const changes = new WeakMap<Request, CookieChange>();

  return {
    onContextBuilding({ context, extendContext }) {
      const change: CookieChange = { issued: null, ended: false };
      changes.set(context.request, change);
      extendContext({
        refreshTokenCookie: readCookie(context.request.headers.get('cookie')),
        auth: recordCookieChanges(context.auth, change),
      });
    },
    onResponse({ request, response }) {
      const change = changes.get(request);
      if (change === undefined) return;
      if (change.issued !== null) {
        const { refreshToken, refreshTokenExpiresAt } = change.issued;
        const maxAge = Math.max(
          0,
          Math.floor((refreshTokenExpiresAt - options.clock.now()) / 1000),
        );
        response.headers.append('set-cookie', serialiseCookie(refreshToken, maxAge, options.path));
      } else if (change.ended) {
        response.headers.append('set-cookie', serialiseCookie('', 0, options.path));
      }
    },
  };
}

/**
 * Wraps the request's auth service so the plugin learns whether this request issued a new pair
 * (the cookie follows it) or ended the caller's own session (the cookie goes).
 */
function recordCookieChanges(auth: AuthService, change: CookieChange): AuthService {
  function issued<R extends Result<AuthGrant, unknown>>(result: R): R {
    if (result.ok) change.issued = result.value.tokens;
    return result;
  }
  return {
    ...auth,
    signUp: async (input, client) => issued(await auth.signUp(input, client)),
    logIn: async (input, client) => issued(await auth.logIn(input, client)),
    reissue: async (token, client) => issued(await auth.reissue(token, client)),
    // A password change rotates this session's refresh token; the old cookie would be reuse.
    changePassword: async (viewer, input, client) =>
      issued(await auth.changePassword(viewer, input, client)),
    async logOut(viewer, scope, client) {
      const revoked = await auth.logOut(viewer, scope, client);
      // OTHERS keeps this browser's session, and so its cookie.
      if (scope !== 'OTHERS') change.ended = true;
      return revoked;
    },
    async revokeSession(viewer, sessionId, client) {
      const revoked = await auth.revokeSession(viewer, sessionId, client);
      if (sessionId === viewer.sessionId) change.ended = true;
      return revoked;
    },
    async revokeUserSessions(admin, userId, client) {
      const revoked = await auth.revokeUserSessions(admin, userId, client);
      if (userId === admin.userId) change.ended = true;
      return revoked;
    },
  };
}

function serialiseCookie(value: string, maxAge: number, path: string): string {
  return `${REFRESH_TOKEN_COOKIE_NAME}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

/** The refresh token cookie's value from a `Cookie` header, or null. */
function readCookie(header: string | null): string | null {
  for (const pair of header?.split(';') ?? []) {
    const separator = pair.indexOf('=');
    if (separator === -1) continue;
    if (pair.slice(0, separator).trim() !== REFRESH_TOKEN_COOKIE_NAME) continue;
    const value = pair.slice(separator + 1).trim();
    return value === '' ? null : value;
  }
  return null;
}
