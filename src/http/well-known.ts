import type { Plugin } from 'graphql-yoga';
import type { KeyRing } from '../auth/keys/key-ring.js';
import type { Logger } from '../logger.js';

export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * Verifiers may cache the key set for a minute: about as long as our own processes take to start
 * signing with a newly rotated key (the key ring's refresh interval), and jose-style verifiers
 * refetch at once on an unknown `kid` anyway.
 */
const JWKS_CACHE_CONTROL = 'public, max-age=60';
const DISCOVERY_CACHE_CONTROL = 'public, max-age=300';

export interface WellKnownDeps {
  readonly keys: KeyRing;
  readonly issuer: string;
  readonly logger: Logger;
}

/** The discovery document: only what this service really does, and where its keys are. */
export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri: string;
  /**
   * Not a registered metadata name (OAuth has none for access tokens): the algorithms of the
   * keys currently published, i.e. those our access and refresh tokens may be signed with.
   */
  readonly access_token_signing_alg_values_supported: readonly string[];
}

/** Where verifiers fetch our keys: the issuer's own `/.well-known/jwks.json`. */
export function jwksUriOf(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}${JWKS_PATH}`;
}

/**
 * Serves `GET /.well-known/jwks.json` (the public parts of the active and retiring keys) and
 * `GET /.well-known/openid-configuration`, before yoga looks at the request.
 */
export function createWellKnownPlugin({ keys, issuer, logger }: WellKnownDeps): Plugin {
  async function respond(path: string): Promise<Response> {
    const published = await keys.publishedKeys();
    if (path === JWKS_PATH) {
      return json({ keys: published.keys }, JWKS_CACHE_CONTROL);
    }
    const document: DiscoveryDocument = {
      issuer,
      jwks_uri: jwksUriOf(issuer),
      access_token_signing_alg_values_supported: published.algorithms,
    };
    return json(document, DISCOVERY_CACHE_CONTROL);
  }

  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== JWKS_PATH && url.pathname !== DISCOVERY_PATH) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      try {
        endResponse(await respond(url.pathname));
      } catch (error) {
        // Errors thrown from onRequest would escape to node:http; answer 503 and log instead.
        logger.error('well-known endpoint failed', error);
        endResponse(new Response(null, { status: 503, headers: { 'cache-control': 'no-store' } }));
      }
    },
  };
}

function json(body: unknown, cacheControl: string): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl },
  });
}
