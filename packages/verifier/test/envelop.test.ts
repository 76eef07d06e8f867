import { createSchema, createYoga } from 'graphql-yoga';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_ERRORS } from '../../../src/errors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import {
  type AccessTokenContext,
  REFUSALS,
  requireViewer,
  useAccessTokenVerifier,
} from '../src/envelop.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../src/index.js';

// The plugin in a subgraph of its own (yoga, in process), against the service in process.

const FEED_TOKEN = 'feed-token-0123456789abcdef0123456789abcdef';
let app: TestApp;
let verifier: AccessTokenVerifier;

beforeEach(async () => {
  app = await createTestApp({ REVOCATION_FEED_TOKEN: FEED_TOKEN });
  const jwks = (await (
    await app.yoga.fetch('http://yoga/.well-known/jwks.json')
  ).json()) as JSONWebKeySet;
  verifier = createAccessTokenVerifier({
    issuer: app.config.issuer,
    audience: app.config.audience,
    jwksUrl: 'http://yoga/.well-known/jwks.json',
    keys: createLocalJWKSet(jwks),
    revocationFeed: { url: 'http://yoga/revocations', token: FEED_TOKEN },
    now: () => app.clock.now(),
    fetch: async (input, init) => app.yoga.fetch(new Request(String(input), init)),
  });
  await expect.poll(() => verifier.isFeedUp()).toBe(true);
});
afterEach(async () => {
  verifier.close();
  await app.close();
});

function subgraph(mode: 'per-field' | 'every-operation') {
  return createYoga<object, AccessTokenContext>({
    logging: false,
    plugins: [useAccessTokenVerifier({ verifier, mode })],
    schema: createSchema<AccessTokenContext>({
      typeDefs: 'type Query { whoAmI: String!  roles: [String!]!  open: String! }',
      resolvers: {
        Query: {
          whoAmI: (_root, _args, context) => requireViewer(context).userId,
          roles: (_root, _args, context) => requireViewer(context).roles,
          open: (_root, _args, context) => context.viewerRefusal ?? 'verified',
        },
      },
    }),
  });
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function ask(
  yoga: ReturnType<typeof subgraph>,
  query: string,
  authorization?: string,
): Promise<Answer> {
  const response = await yoga.fetch('http://subgraph/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as Answer;
}

describe('useAccessTokenVerifier', () => {
  it('puts the verified viewer on the context', async () => {
    const mine = await app.signUp();
    expect(
      await ask(subgraph('per-field'), '{ whoAmI roles open }', `Bearer ${mine.accessToken}`),
    ).toEqual({ data: { whoAmI: mine.user.id, roles: ['USER'], open: 'verified' } });
  });

  it('answers the service’s code, reason and message for each refusal', async () => {
    const mine = await app.signUp();
    const yoga = subgraph('per-field');
    for (const [authorization, reason] of [
      [undefined, 'TOKEN_MISSING'],
      ['Bearer not.a.token', 'TOKEN_INVALID'],
      [`Bearer ${mine.refreshToken}`, 'TOKEN_TYPE_MISMATCH'],
    ] as const) {
      const answer = await ask(yoga, '{ whoAmI }', authorization);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason });
      expect(answer.errors?.[0]?.message).toBe(AUTH_ERRORS[reason].message);
      // The service itself gives the same answer to the same header.
      const service = await app.graphql('{ me { id } }', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(service.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
      expect(service.errors?.[0]?.message).toBe(answer.errors?.[0]?.message);
    }
    // Fields that do not ask for a viewer still answer, and can see why there is none.
    expect(await ask(yoga, '{ open }', `Bearer ${mine.refreshToken}`)).toEqual({
      data: { open: 'TOKEN_TYPE_MISMATCH' },
    });
  });

  it('shares the service’s registry entry for every reason the two have in common', () => {
    for (const [reason, refusal] of Object.entries(REFUSALS)) {
      if (!(reason in AUTH_ERRORS)) continue;
      expect(refusal, reason).toEqual(AUTH_ERRORS[reason as keyof typeof AUTH_ERRORS]);
    }
    expect(Object.keys(REFUSALS).filter((reason) => !(reason in AUTH_ERRORS))).toEqual([
      'TOKEN_RESTRICTED',
      'REVOCATION_FEED_DOWN',
    ]);
  });

  it('refuses a logged-out session’s token with SESSION_REVOKED, as the service does', async () => {
    const mine = await app.signUp();
    const yoga = subgraph('per-field');
    await app.graphql('mutation { logout }', { token: mine.accessToken });
    await expect
      .poll(
        async () =>
          (await ask(yoga, '{ whoAmI }', `Bearer ${mine.accessToken}`)).errors?.[0]?.extensions,
      )
      .toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const service = await app.graphql('{ me { id } }', { token: mine.accessToken });
    expect(service.errors?.[0]?.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
  });

  it('in every-operation mode, refuses before anything executes', async () => {
    const mine = await app.signUp();
    const yoga = subgraph('every-operation');
    // Refused before execution, so there is no `data` entry at all (GraphQL over HTTP).
    expect(await ask(yoga, '{ open }')).toEqual({
      errors: [
        {
          message: AUTH_ERRORS.TOKEN_MISSING.message,
          extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' },
        },
      ],
    });
    expect(await ask(yoga, '{ open }', `Bearer ${mine.accessToken}`)).toEqual({
      data: { open: 'verified' },
    });
  });

  it('answers SERVICE_UNAVAILABLE / REVOCATION_FEED_DOWN while the feed is silent', async () => {
    const mine = await app.signUp();
    app.clock.advanceSeconds(11); // past maxFeedSilence (10 s) by the shared clock
    const answer = await ask(subgraph('per-field'), '{ whoAmI }', `Bearer ${mine.accessToken}`);
    expect(answer.errors?.[0]?.extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'REVOCATION_FEED_DOWN',
    });
  });
});
