import type { RequestListener } from 'node:http';
import { expect } from 'vitest';
import type { Environment } from '../../src/config.js';
import { jwksUriOf } from '../../src/http/well-known.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type ListeningSocket, listenOnFreePort } from '../helpers/listen.js';
import { composeSupergraph } from './compose.js';
import { createProfilesSubgraph, type ProfilesSubgraph } from './profiles-subgraph.js';

// What both gateway tests put behind their gateway: this service and the profiles subgraph on
// local ports, profiles following the service's revocation feed, and the composed supergraph.

export const FEED_TOKEN = 'feed-token-0123456789abcdef0123456789abcdef';

export interface TwoSubgraphs {
  readonly app: TestApp;
  /** The service's origin (also its issuer). */
  readonly authOrigin: string;
  readonly profilesOrigin: string;
  readonly supergraphSdl: string;
  /** How many times anyone fetched the service's JWKS. */
  jwksRequests(): number;
  close(): Promise<void>;
}

export interface TwoSubgraphsOptions {
  /** More of the service's environment. */
  readonly env?: Environment;
  /** Where the service's test clock starts (ms): `Date.now()` for a gateway on the real clock. */
  readonly clockStartsAt?: number;
}

export async function startTwoSubgraphs(options: TwoSubgraphsOptions = {}): Promise<TwoSubgraphs> {
  let jwksRequests = 0;
  // The issuer is our real URL, so it must be known before the service is built.
  let serveAuth: RequestListener = (_req, res) => res.writeHead(503).end();
  const auth = await listenOnFreePort((req, res) => {
    if (req.url === '/.well-known/jwks.json') jwksRequests += 1;
    serveAuth(req, res);
  });
  const app = await createTestApp({
    AUTH_ISSUER: auth.origin,
    REVOCATION_FEED_TOKEN: FEED_TOKEN,
    ...options.env,
  });
  if (options.clockStartsAt !== undefined) {
    app.clock.advanceMilliseconds(options.clockStartsAt - app.clock.now());
  }
  serveAuth = app.yoga;

  let profilesSubgraph: ProfilesSubgraph | undefined;
  let profiles: ListeningSocket | undefined;
  async function close(): Promise<void> {
    profilesSubgraph?.close();
    await profiles?.close();
    await auth.close();
    await app.close();
  }
  try {
    profilesSubgraph = createProfilesSubgraph({
      issuer: auth.origin,
      audience: app.config.audience,
      jwksUri: jwksUriOf(auth.origin),
      revocationFeed: { url: `${auth.origin}/revocations`, token: FEED_TOKEN },
      clock: app.clock,
    });
    profiles = await listenOnFreePort(profilesSubgraph.yoga);
    await profilesSubgraph.feedHeard(5_000);
    const supergraphSdl = await composeSupergraph([
      { name: 'auth', url: `${auth.origin}/graphql` },
      { name: 'profiles', url: `${profiles.origin}/graphql` },
    ]);
    return {
      app,
      authOrigin: auth.origin,
      profilesOrigin: profiles.origin,
      supergraphSdl,
      jwksRequests: () => jwksRequests,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface GatewayResponse {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Posts `query` to a gateway, with the token as a bearer if given; expects a 200. */
export async function askGateway(
  url: string,
  query: string,
  token?: string,
): Promise<GatewayResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as GatewayResponse;
}
