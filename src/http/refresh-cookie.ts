import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import type { AuthService } from '../auth/service.js';
import type { TokenPair } from '../auth/types.js';
import type { Clock } from '../clock.js';
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
 * `logout` of the current session clears it.
 *
 * A cookie travels with requests the page did not choose to make, so this mode always brings
 * yoga's CSRF prevention (a GET, or a "simple" POST, must carry a custom header the browser only
 * sends after a CORS preflight). The Origin allow-list is required by the configuration.
 */
export function useRefreshTokenCookie(options: RefreshTokenCookieOptions): Plugin<GraphQLContext> {
  const changes = new WeakMap<Request, CookieChange>();

  return {
    onPluginInit({ addPlugin }) {
      // A plugin for any context is a plugin for ours; its type is just written narrower.
      addPlugin(useCSRFPrevention() as Plugin<GraphQLContext>);
    },
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

/** Wraps the request's auth service so the plugin learns which pair was issued, or ended. */
function recordCookieChanges(auth: AuthService, change: CookieChange): AuthService {
  return {
    ...auth,
    async signUp(input, client) {
      const result = await auth.signUp(input, client);
      if (result.ok) change.issued = result.value.tokens;
      return result;
    },
    async logIn(input, client) {
      const result = await auth.logIn(input, client);
      if (result.ok) change.issued = result.value.tokens;
      return result;
    },
    async reissue(token) {
      const result = await auth.reissue(token);
      if (result.ok) change.issued = result.value.tokens;
      return result;
    },
    async logOut(viewer, scope) {
      const revoked = await auth.logOut(viewer, scope);
      // OTHERS keeps this browser's session, and so its cookie.
      if (scope !== 'OTHERS') change.ended = true;
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
