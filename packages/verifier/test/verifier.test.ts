import { createLocalJWKSet, importJWK, type JSONWebKeySet, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { enrolTotp } from '../../../test/helpers/mfa.js';
import { createAccessTokenVerifier } from '../src/index.js';

// The verifier against the service itself, in process: the same tokens, the same refusals.

const FEED_TOKEN = 'feed-token-0123456789abcdef0123456789abcdef';
let app: TestApp;

beforeEach(async () => {
  app = await createTestApp({ REVOCATION_FEED_TOKEN: FEED_TOKEN });
});
afterEach(() => app.close());

async function localKeys() {
  const response = await app.yoga.fetch('http://yoga/.well-known/jwks.json');
  return createLocalJWKSet((await response.json()) as JSONWebKeySet);
}

/** Signs `claims` with the service's own active private key, header as given. */
async function signWithServiceKey(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  const [key] = (await app.deps.store.signingKeys.list()).filter(
    (each) => each.status === 'active',
  );
  if (key === undefined) throw new Error('no active key');
  const privateKey = await importJWK({ ...key.privateJwk }, key.alg);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(privateKey);
}

async function verifierFor(withFeed: boolean) {
  const keys = await localKeys();
  return createAccessTokenVerifier({
    keys,
    issuer: app.config.issuer,
    audience: app.config.audience,
    jwksUrl: 'http://yoga/.well-known/jwks.json',
    ...(withFeed ? { revocationFeed: { url: 'http://yoga/revocations', token: FEED_TOKEN } } : {}),
    now: () => app.clock.now(),
    fetch: async (input, init) => app.yoga.fetch(new Request(String(input), init)),
  });
}

describe('createAccessTokenVerifier', () => {
  it('accepts an access token of a live session, with the service’s viewer', async () => {
    const mine = await app.signUp();
    const verifier = createAccessTokenVerifier({
      issuer: app.config.issuer,
      audience: app.config.audience,
      jwksUrl: 'http://yoga/.well-known/jwks.json',
      keys: await localKeys(),
      now: () => app.clock.now(),
    });
    const result = await verifier.verify(`Bearer ${mine.accessToken}`);
    expect(result).toMatchObject({
      ok: true,
      viewer: {
        userId: mine.user.id,
        roles: ['USER'],
        assuranceLevel: 1,
        authMethods: ['pwd'],
        authTime: app.clock.now() / 1000,
      },
    });
  });

  it('reads assurance 2 from a stepped-up session, and agrees on its scope', async () => {
    const mine = await app.signUp();
    const { pair } = await enrolTotp(app, mine.accessToken);
    const verifier = createAccessTokenVerifier({
      issuer: app.config.issuer,
      audience: app.config.audience,
      jwksUrl: 'http://yoga/.well-known/jwks.json',
      keys: await localKeys(),
      now: () => app.clock.now(),
    });
    const result = await verifier.verify(`Bearer ${pair.accessToken}`);
    expect(result).toMatchObject({
      ok: true,
      viewer: { assuranceLevel: 2, authMethods: ['pwd', 'otp'] },
    });
  });

  it.each([
    ['no token', async () => null, 'TOKEN_MISSING'],
    [
      'a refresh token',
      async (t: { refreshToken: string }) => `Bearer ${t.refreshToken}`,
      'TOKEN_TYPE_MISMATCH',
    ],
    [
      'alg none',
      async () =>
        `Bearer ${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.e30.`,
      'TOKEN_INVALID',
    ],
    [
      'a jku header',
      async (t: { sign: typeof signWithServiceKey; claims: Record<string, unknown> }) =>
        `Bearer ${await t.sign(t.claims, { jku: 'http://evil/' })}`,
      'TOKEN_INVALID',
    ],
    [
      'a scope that disagrees with the roles',
      async (t: { sign: typeof signWithServiceKey; claims: Record<string, unknown> }) =>
        `Bearer ${await t.sign({ ...t.claims, scope: 'ADMIN' })}`,
      'TOKEN_INVALID',
    ],
    [
      'a restricted token',
      async (t: { sign: typeof signWithServiceKey; claims: Record<string, unknown> }) =>
        `Bearer ${await t.sign({ ...t.claims, restrictions: ['MFA'] })}`,
      'TOKEN_RESTRICTED',
    ],
  ] as const)('refuses %s as the service does', async (_name, build, reason) => {
    const mine = await app.signUp();
    const [, payload] = mine.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const authorization = await build({
      refreshToken: mine.refreshToken,
      sign: signWithServiceKey,
      claims,
    } as never);
    const verifier = createAccessTokenVerifier({
      issuer: app.config.issuer,
      audience: app.config.audience,
      jwksUrl: 'http://yoga/.well-known/jwks.json',
      keys: await localKeys(),
      now: () => app.clock.now(),
    });
    expect(await verifier.verify(authorization)).toEqual({ ok: false, reason });
    // The service refuses it too (a restricted token is one it would never issue today).
    if (authorization !== null && reason !== 'TOKEN_RESTRICTED') {
      const answer = await app.graphql('{ me { id } }', { headers: { authorization } });
      expect(answer.errors?.[0]?.extensions?.reason).toBe(reason);
    }
  });

  it('refuses the token once the feed announces its session, and while the feed is silent', async () => {
    const mine = await app.signUp();
    const verifier = await verifierFor(true);
    try {
      await expect.poll(() => verifier.isFeedUp()).toBe(true);
      expect((await verifier.verify(`Bearer ${mine.accessToken}`)).ok).toBe(true);
      await app.graphql('mutation { logout }', { token: mine.accessToken });
      await expect
        .poll(() => verifier.verify(`Bearer ${mine.accessToken}`))
        .toEqual({ ok: false, reason: 'SESSION_REVOKED' });
      // Silent for longer than maxFeedSilence (10 s by the test's clock): refused again.
      app.clock.advanceSeconds(11);
      const other = await app.signUp();
      expect(await verifier.verify(`Bearer ${other.accessToken}`)).toEqual({
        ok: false,
        reason: 'REVOCATION_FEED_DOWN',
      });
    } finally {
      verifier.close();
    }
  });
});
