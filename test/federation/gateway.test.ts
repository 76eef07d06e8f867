import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../src/auth/sign-up.js';
import type { TestApp } from '../helpers/app.js';
import { PASSWORD } from '../helpers/app.js';
import { CLIENT } from '../helpers/auth-deps.js';
import { withoutSecurityFeatures } from './compose.js';
import { setFavouriteColour } from './profiles-subgraph.js';
import { askGateway, startTwoSubgraphs, type TwoSubgraphs } from './two-subgraphs.js';

// A real supergraph: Apollo Gateway composes this service with a second subgraph (profiles)
// written here; every hop is HTTP on a local port. The gateway forwards Authorization; each
// subgraph decides for itself, profiles with the verifier package (our JWKS and our revocation
// feed), so after logout both refuse the access token within a second.

interface GatewayContext {
  readonly authorization: string | null;
}

let subgraphs: TwoSubgraphs;
let app: TestApp;
let gateway: ApolloServer<GatewayContext>;
let gatewayUrl: string;
let supergraphSdl: string;

beforeAll(async () => {
  subgraphs = await startTwoSubgraphs();
  ({ app, supergraphSdl } = subgraphs);
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
  await subgraphs?.close();
});

function viaGateway(query: string, token?: string) {
  return askGateway(gatewayUrl, query, token);
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
    expect(subgraphs.jwksRequests()).toBe(0); // composing needs no keys

    expect(await viaGateway(ME, accessToken)).toEqual({
      data: { me: { id: user.id, email: user.email, favouriteColour: 'teal' } },
    });
    // The other direction: profiles returns the User, our guarded reference resolver adds email.
    expect(await viaGateway(OWNER, accessToken)).toEqual({
      data: { profileOwner: { id: user.id, email: user.email, favouriteColour: 'teal' } },
    });
    // Profiles verified our token itself, from the JWKS it fetched from us over HTTP.
    expect(subgraphs.jwksRequests()).toBeGreaterThanOrEqual(1);
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
    // The verifier answers with the service's own reason and message.
    expect(owner.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
    expect(owner.errors?.[0]?.message).toBe(me.errors?.[0]?.message);
  });

  it('has a restricted access token (REQUIRE_EMAIL_VERIFICATION) refused by the other subgraph as FORBIDDEN, not a logout', async () => {
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
      reason: 'TOKEN_RESTRICTED',
    });
  });

  it('after logout through the gateway, both subgraphs refuse the access token within 1 s', async () => {
    const { accessToken, user } = await app.signUp();
    const PROFILE_ONLY = '{ profileOwner { id favouriteColour } }';
    expect(await viaGateway(PROFILE_ONLY, accessToken)).toEqual({
      data: { profileOwner: { id: user.id, favouriteColour: 'not chosen yet' } },
    });
    expect(await viaGateway('mutation { logout }', accessToken)).toEqual({
      data: { logout: true },
    });
    const loggedOutAt = performance.now();

    const me = await viaGateway(ME, accessToken);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'SESSION_REVOKED',
    });
    // Profiles learns of it from the revocation feed: its own field is refused too, by 1 s.
    await expect
      .poll(async () => (await viaGateway(PROFILE_ONLY, accessToken)).errors?.[0]?.extensions, {
        timeout: 1_000,
        interval: 20,
      })
      .toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    expect(performance.now() - loggedOutAt).toBeLessThan(1_000);
    const owner = await viaGateway(OWNER, accessToken);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
  });
});
