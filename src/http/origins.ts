import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { AUTH_ERRORS } from '../errors.js';

/** Yoga's CORS options for an allow-list: credentials only ever for the listed origins. */
export function corsForAllowedOrigins(origins: readonly string[]) {
  return origins.length === 0 ? undefined : { origin: [...origins], credentials: true };
}

/**
 * Refuses, with 403 FORBIDDEN / ORIGIN_NOT_ALLOWED, any GraphQL request whose `Origin` header is
 * not on the allow-list. CORS alone only stops the browser from *reading* the answer; this stops
 * the request from running at all. Requests without `Origin` (curl, servers) are not browser
 * cross-site requests and pass.
 */
export function useOriginAllowList(origins: readonly string[]): Plugin {
  const allowed = new Set(origins);
  return {
    onRequestParse({ request }) {
      const origin = request.headers.get('origin');
      if (origin === null || allowed.has(origin)) return;
      throw createGraphQLError(AUTH_ERRORS.ORIGIN_NOT_ALLOWED.message, {
        extensions: {
          code: AUTH_ERRORS.ORIGIN_NOT_ALLOWED.code,
          reason: 'ORIGIN_NOT_ALLOWED',
          http: { status: 403 },
        },
      });
    },
  };
}
