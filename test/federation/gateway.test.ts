import type { RequestListener } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../src/auth/sign-up.js';
import { jwksUriOf } from '../../src/http/well-known.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { CLIENT } from '../helpers/auth-deps.js';
import { type ListeningSocket, listenOnFreePort } from '../helpers/listen.js';
import { composeSupergraph, withoutSecurityFeatures } from './compose.js';
import { createProfilesSubgraph, setFavouriteColour } from './profiles-subgraph.js';

// A real supergraph: Apollo Gateway composes this service with a second subgraph (profiles)
// written here; every hop is HTTP on a local port. The gateway forwards Authorization; each
// subgraph decides for itself, profiles by verifying our ATK against our JWKS.

interface GatewayContext {
  readonly authorization: string | null;
}

interface GatewayResponse {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: { message: string; extensions?: Record<string, unknown> }[];
}

let app: TestApp;
let auth: ListeningSocket;
let profiles: ListeningSocket;
let gateway: ApolloServer<GatewayContext>;
let gatewayUrl: string;
let supergraphSdl: string;
let jwksRequests = 0;

beforeAll(async () => {
  // The issuer is our real URL, so it must be known before the service is built.
  let serveAuth: RequestListener = (_req, res) => res.writeHead(503).end();
  auth = await listenOnFreePort((req, res) => {
    if (req.url === '/.well-known/jwks.json') jwksRequests += 1;
    serveAuth(req, res);
  });
  app = await createTestApp({ AUTH_ISSUER: auth.origin });
  serveAuth = app.yoga;

  profiles = await listenOnFreePort(
    createProfilesSubgraph({
      issuer: auth.origin,
      audience: app.config.audience,
      jwksUri: jwksUriOf(auth.origin),
      clock: app.clock,
    }),
  );

  supergraphSdl = await composeSupergraph([
    { name: 'auth', url: `${auth.origin}/graphql` },
    { name: 'profiles', url: `${profiles.origin}/graphql` },
  ]);
  gateway = new ApolloServer<GatewayContext>({
    gateway: new ApolloGateway({
      supergraphSdl: withoutSecurityFeatures(supergraphSdl),
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<GatewayContext>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization)
              request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
  });
  ({ url: gatewayUrl } = await startStandaloneServer(gateway, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization ?? null }),
  }));
});

afterAll(async () => {
  await gateway?.stop();
  await profiles?.close();
  await auth?.close();
  await app?.close();
});

async function viaGateway(query: string, token?: string): Promise<GatewayResponse> {
  const response = await fetch(gatewayUrl, {
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

const ME = '{ me { id email favouriteColour } }';
const OWNER = '{ profileOwner { id email favouriteColour } }';

describe('this service in a federated supergraph', () => {
  it('composes with the auth directives kept, ready for a gateway that enforces them', () => {
    expect(supergraphSdl).toContain(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
    );
    expect(supergraphSdl).toMatch(/me: User! @join__field\(graph: AUTH\) @authenticated/);
    expect(supergraphSdl).toMatch(/users: \[User!\]! .*@requiresScopes\(scopes: \[\["ADMIN"\]\]\)/);
    expect(supergraphSdl).toMatch(/favouriteColour: String! @join__field\(graph: PROFILES\)/);
  });

  it('resolves me across both subgraphs with an access token', async () => {
    const { accessToken, user } = await app.signUp();
    setFavouriteColour(user.id, 'teal');
    expect(jwksRequests).toBe(0); // composing needs no keys

    expect(await viaGateway(ME, accessToken)).toEqual({
      data: { me: { id: user.id, email: user.email, favouriteColour: 'teal' } },
    });
    // The other direction: profiles returns the User, our guarded reference resolver adds email.
    expect(await viaGateway(OWNER, accessToken)).toEqual({
      data: { profileOwner: { id: user.id, email: user.email, favouriteColour: 'teal' } },
    });
    // Profiles verified our token itself, from the JWKS it fetched from us over HTTP.
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('fails cleanly without a token: no data, UNAUTHENTICATED', async () => {
    const me = await viaGateway(ME);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
    const owner = await viaGateway(OWNER);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('has a refresh token refused by both subgraphs', async () => {
    const { refreshToken } = await app.signUp();
    const me = await viaGateway(ME, refreshToken);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
    const owner = await viaGateway('{ profileOwner { favouriteColour } }', refreshToken);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(owner.errors?.[0]?.message).toBe('Profiles: access token required.');
  });

  it('has a restricted access token (REQUIRE_EMAIL_VERIFICATION) refused by the other subgraph', async () => {
    // The same keys and issuer, as an instance with REQUIRE_EMAIL_VERIFICATION=true signs it.
    const restrictedDeps = {
      ...app.deps,
      settings: { ...app.deps.settings, requireEmailVerification: true },
    };
    const input = { email: 'unverified@example.com', password: PASSWORD };
    const signedUp = await signUp(restrictedDeps, input, CLIENT);
    if (!signedUp.ok) throw new Error(JSON.stringify(signedUp.failure));
    const token = signedUp.value.tokens.accessToken;
    const owner = await viaGateway('{ profileOwner { favouriteColour } }', token);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'EMAIL_NOT_VERIFIED',
    });
  });

  it('after logout through the gateway, our subgraph refuses the access token', async () => {
    const { accessToken, user } = await app.signUp();
    expect(await viaGateway('mutation { logout }', accessToken)).toEqual({
      data: { logout: true },
    });

    const me = await viaGateway(ME, accessToken);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'SESSION_REVOKED',
    });
    // Profiles verifies statelessly, so its own field still answers until the ATK expires;
    // anything it needs from us (email, through our reference resolver) is refused.
    expect(await viaGateway('{ profileOwner { id favouriteColour } }', accessToken)).toEqual({
      data: { profileOwner: { id: user.id, favouriteColour: 'not chosen yet' } },
    });
    const owner = await viaGateway(OWNER, accessToken);
    expect(owner.errors?.[0]?.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
  });
});
