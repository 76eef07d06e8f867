import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../../src/auth/keys/key-ring.js';
import { openKeyRing } from '../../../src/auth/keys/open-key-ring.js';
import { signAccessToken, signRefreshToken } from '../../../src/auth/tokens/sign-token.js';
import type { TokenType } from '../../../src/auth/tokens/token-types.js';
import {
  createVerifiedTokenCache,
  type VerifiedTokenCache,
  verifyTokenWithCache,
} from '../../../src/auth/tokens/verified-token-cache.js';
import { verifyToken } from '../../../src/auth/tokens/verify-token.js';
import { loadConfig } from '../../../src/config.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import { createTestClock } from '../../helpers/clock.js';
import { TOKEN_SETTINGS, tokenClaims } from '../../helpers/tokens.js';

// The cache may only ever answer what a full verification would answer at the same moment.
// Each test primes it with a successful verification, then changes one thing and compares.

const clock = createTestClock();
const NOW_MS = clock.now();
const NOW = Math.floor(NOW_MS / 1000);
const settings = TOKEN_SETTINGS;
const claims = { ...tokenClaims(NOW), roles: ['USER'] as const };

let keys: KeyRing;
let otherKeys: KeyRing;
beforeAll(async () => {
  const config = loadConfig({ DATABASE_URL: ':memory:' });
  keys = await openKeyRing(config, openSqliteStore(':memory:').signingKeys, clock);
  otherKeys = await openKeyRing(config, openSqliteStore(':memory:').signingKeys, clock);
});

function cachedVerify(
  cache: VerifiedTokenCache,
  token: string,
  at: number,
  ring: KeyRing = keys,
  expected: TokenType = 'access',
) {
  return verifyTokenWithCache(cache, token, expected, ring, settings, at);
}

async function primed(token: string): Promise<VerifiedTokenCache> {
  const cache = createVerifiedTokenCache(100);
  const first = await cachedVerify(cache, token, NOW_MS);
  expect(first.ok).toBe(true);
  expect(cache.size).toBe(1);
  return cache;
}

describe('verifyTokenWithCache', () => {
  it('answers exactly as verifyToken at every moment around expiry, and before verification', async () => {
    const token = await signAccessToken(keys, settings, claims);
    const cache = await primed(token);
    // Seconds from NOW: clock set back past iat's tolerance, within the lifetime, at exp, inside
    // and past the 5 s skew tolerance, far past.
    for (const offset of [-10, 0, 1, 899, 900, 904, 905, 906, 3600]) {
      const at = NOW_MS + offset * 1000;
      const expected = await verifyToken(token, 'access', keys, settings, at);
      expect(await cachedVerify(cache, token, at), `at ${offset}s`).toEqual(expected);
    }
    expect(await cachedVerify(cache, token, NOW_MS + 3600_000)).toEqual({
      ok: false,
      failure: 'TOKEN_EXPIRED',
    });
  });

  it('serves a hit only strictly before exp; from exp on, the full check decides', async () => {
    const token = await signAccessToken(keys, settings, claims);
    const cache = await primed(token);
    expect(await cache.find(token, keys, NOW_MS + 899_999)).toMatchObject({ tokenId: 'jti-1' });
    expect(await cache.find(token, keys, NOW_MS + 900_000)).toBeUndefined();
    // The expired entry is gone rather than waiting to be served again.
    expect(cache.size).toBe(0);
  });

  it('still refuses a cached access token where a refresh token is expected', async () => {
    const token = await signAccessToken(keys, settings, claims);
    const cache = await primed(token);
    expect(await cachedVerify(cache, token, NOW_MS, keys, 'refresh')).toEqual({
      ok: false,
      failure: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('verifies a token differing in one character on its own, however close to a cached one', async () => {
    const token = await signAccessToken(keys, settings, claims);
    const cache = await primed(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === 'A' ? 'B' : 'A';
    const badSignature = `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
    const foreignPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        aud: 'https://elsewhere.example.com',
      }),
    ).toString('base64url');
    for (const tampered of [badSignature, `${header}.${foreignPayload}.${signature}`]) {
      expect(await cachedVerify(cache, tampered, NOW_MS)).toEqual({
        ok: false,
        failure: 'TOKEN_INVALID',
      });
    }
  });

  it('drops a token whose key is no longer in the key ring, or was replaced', async () => {
    const token = await signAccessToken(keys, settings, claims);
    const cache = await primed(token);
    const withoutKey: KeyRing = { ...keys, findVerificationKey: async () => undefined };
    expect(await cachedVerify(cache, token, NOW_MS, withoutKey)).toEqual({
      ok: false,
      failure: 'TOKEN_INVALID',
    });

    const again = await primed(token);
    const otherKey = await otherKeys.findVerificationKey((await otherKeys.signingKey()).kid);
    // Same kid, another key object: what a reload that replaced the key would look like.
    const replaced: KeyRing = { ...keys, findVerificationKey: async () => otherKey };
    expect(await again.find(token, replaced, NOW_MS)).toBeUndefined();
    expect(await cachedVerify(again, token, NOW_MS, replaced)).toEqual({
      ok: false,
      failure: 'TOKEN_INVALID',
    });
  });

  it('remembers nothing that failed: foreign keys, wrong audience, expired, wrong type', async () => {
    const cache = createVerifiedTokenCache(100);
    const foreign = await signAccessToken(otherKeys, settings, claims);
    const wrongAudience = await signAccessToken(
      keys,
      { ...settings, audience: 'https://elsewhere.example.com' },
      claims,
    );
    const refresh = await signRefreshToken(keys, settings, claims);
    const expired = await signAccessToken(keys, settings, claims);
    for (const token of [foreign, wrongAudience, refresh]) {
      expect((await cachedVerify(cache, token, NOW_MS)).ok).toBe(false);
    }
    expect(await cachedVerify(cache, expired, NOW_MS + 3600_000)).toEqual({
      ok: false,
      failure: 'TOKEN_EXPIRED',
    });
    expect(cache.size).toBe(0);
    // And a failure is not turned into a success later either.
    expect(await cachedVerify(cache, wrongAudience, NOW_MS)).toEqual({
      ok: false,
      failure: 'TOKEN_INVALID',
    });
  });

  it('stays within its bound by dropping the oldest entry', async () => {
    const cache = createVerifiedTokenCache(2);
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((tokenId) => signAccessToken(keys, settings, { ...claims, tokenId })),
    );
    for (const token of tokens) await cachedVerify(cache, token, NOW_MS);
    expect(cache.size).toBe(2);
    const [first, second, third] = tokens as [string, string, string];
    expect(await cache.find(first, keys, NOW_MS)).toBeUndefined();
    expect(await cache.find(second, keys, NOW_MS)).toMatchObject({ tokenId: 'b' });
    expect(await cache.find(third, keys, NOW_MS)).toMatchObject({ tokenId: 'c' });
  });

  it('keeps a token in use over one remembered earlier and not used since', async () => {
    const cache = createVerifiedTokenCache(2);
    const [first, second, third] = (await Promise.all(
      ['a', 'b', 'c'].map((tokenId) => signAccessToken(keys, settings, { ...claims, tokenId })),
    )) as [string, string, string];
    await cachedVerify(cache, first, NOW_MS);
    await cachedVerify(cache, second, NOW_MS);
    expect(await cache.find(first, keys, NOW_MS)).toMatchObject({ tokenId: 'a' });
    await cachedVerify(cache, third, NOW_MS);
    expect(await cache.find(second, keys, NOW_MS)).toBeUndefined();
    expect(await cache.find(first, keys, NOW_MS)).toMatchObject({ tokenId: 'a' });
  });

  it('with room for nothing, remembers nothing and still verifies', async () => {
    const cache = createVerifiedTokenCache(0);
    const token = await signAccessToken(keys, settings, claims);
    expect((await cachedVerify(cache, token, NOW_MS)).ok).toBe(true);
    expect(cache.size).toBe(0);
  });
});
