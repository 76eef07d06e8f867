import type { Plugin } from 'graphql-yoga';
import type { AuthGrant } from '../auth/sessions/grant.js';
import type { TokenListener } from '../auth/sessions/token-listener.js';
import type { TokenPair } from '../auth/tokens/token-pair.js';
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

/** Cookie mode: the yoga plugin, and the listener each request's auth service reports to. */
export interface RefreshTokenCookie {
  readonly plugin: Plugin<GraphQLContext>;
  /** The token listener for this request: its grants and own-session endings set the cookie. */
  listenTo(request: Request): TokenListener;
}

/**
 * Cookie mode for browser apps (REFRESH_TOKEN_COOKIE=true). `signUp`, `login` and `reissue` also
 * set the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie on the GraphQL path,
 * so page scripts never hold it; `reissue` accepts it when no Authorization header is sent;
 * `logout` of the current session clears it (as does revoking one's own current session), and
 * `changePassword`, which rotates the refresh token, replaces it. The auth service tells the
 * request's listener of every pair it issues and of the end of the caller's session, so every
 * operation that issues tokens sets the cookie without this file naming it.
 *
 * A cookie travels with requests the page did not choose to make. The defences: SameSite=Strict;
 * yoga's CSRF prevention, which the server always runs (`http/graphql-hardening.ts`: a GET or a
 * "simple" POST must carry a header only scripts can add, after a CORS preflight); and the
 * Origin allow-list (`http/origins.ts`), which the configuration requires in this mode.
 */
export function createRefreshTokenCookie(options: RefreshTokenCookieOptions): RefreshTokenCookie {
  const changes = new WeakMap<Request, CookieChange>();

  function listenTo(request: Request): TokenListener {
    const change: CookieChange = { issued: null, ended: false };
    changes.set(request, change);
    return {
      issued(grant: AuthGrant) {
        change.issued = grant.tokens;
      },
      ended() {
        change.ended = true;
      },
    };
  }

  const plugin: Plugin<GraphQLContext> = {
    onContextBuilding({ context, extendContext }) {
      extendContext({ refreshTokenCookie: readCookie(context.request.headers.get('cookie')) });
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
  return { plugin, listenTo };
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
