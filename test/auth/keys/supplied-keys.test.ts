import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../../src/auth/keys/key-rotation.js';
import { openKeyRing } from '../../../src/auth/keys/open-key-ring.js';
import { thumbprintOf, toStoredJwk } from '../../../src/auth/keys/signing-keys.js';
import { parseSuppliedKeys, SuppliedKeysError } from '../../../src/auth/keys/supplied-keys.js';
import { loadConfig } from '../../../src/config.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import { createTestClock } from '../../helpers/clock.js';

async function privateJwk(alg: 'EdDSA' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return exportJWK(privateKey);
}

function keySet(...keys: JWK[]): string {
  return JSON.stringify({ keys });
}

async function parseFailure(json: string): Promise<string> {
  const error = await parseSuppliedKeys('AUTH_SIGNING_KEYS', json, 0).catch((e: unknown) => e);
  if (!(error instanceof SuppliedKeysError))
    throw new Error(`expected a SuppliedKeysError: ${String(error)}`);
  return error.message;
}

describe('supplied signing keys', () => {
  it('uses the first key to sign and publishes the others as retiring, never in the store', async () => {
    const [ed, es] = [await privateJwk('EdDSA'), await privateJwk('ES256')];
    const config = loadConfig({ DATABASE_URL: ':memory:', AUTH_SIGNING_KEYS: keySet(ed, es) });
    const store = openSqliteStore(':memory:');
    const clock = createTestClock();
    const ring = await openKeyRing(config, store.signingKeys, clock);

    const signing = await ring.signingKey();
    expect(signing.alg).toBe('EdDSA');
    expect(signing.kid).toBe(await thumbprintOf(toStoredJwk({ ...ed, d: undefined })));
    const published = await ring.publishedKeys();
    expect(published.algorithms).toEqual(['EdDSA', 'ES256']);
    for (const key of published.keys) expect(key).not.toHaveProperty('d');
    expect(await store.signingKeys.list()).toEqual([]);

    // Rotation belongs to whoever supplies the keys.
    expect(await rotateSigningKeys({ store, clock, config })).toEqual({
      ok: false,
      failure: 'KEYS_SUPPLIED',
    });
  });

  it('accepts a kid and alg that match the key', async () => {
    const jwk = await privateJwk('ES256');
    const kid = await thumbprintOf(toStoredJwk({ ...jwk, d: undefined }));
    const [record] = await parseSuppliedKeys(
      'AUTH_SIGNING_KEYS',
      keySet({ ...jwk, kid, alg: 'ES256' }),
      0,
    );
    expect(record).toMatchObject({ kid, alg: 'ES256', status: 'active' });
  });

  it.each([
    ['not JSON', async () => '{keys:', /not JSON/],
    ['no keys', async () => keySet(), /JWK Set/],
    [
      'a symmetric key',
      async () => keySet({ kty: 'oct', k: 'c2VjcmV0' }),
      /key 1 is not an Ed25519/,
    ],
    [
      'a public key only',
      async () => keySet({ ...(await privateJwk('EdDSA')), d: undefined }),
      /key 1 has no private part/,
    ],
    [
      'a kid that is not the thumbprint',
      async () => keySet({ ...(await privateJwk('EdDSA')), kid: 'mine' }),
      /key 1 has kid mine, but its RFC 7638 thumbprint is/,
    ],
    [
      'an alg that does not fit the curve',
      async () => keySet({ ...(await privateJwk('EdDSA')), alg: 'ES256' }),
      /key 1 has alg ES256; expected EdDSA/,
    ],
    [
      'a private half from another key',
      async () => keySet({ ...(await privateJwk('EdDSA')), d: (await privateJwk('EdDSA')).d }),
      /key 1 has a private part that does not match/,
    ],
    [
      'the same key twice',
      async () => {
        const jwk = await privateJwk('EdDSA');
        return keySet(jwk, jwk);
      },
      /key 2 repeats kid/,
    ],
  ])('refuses %s, naming the variable and never echoing key material', async (_, build, reason) => {
    const json = await build();
    const message = await parseFailure(json);
    expect(message).toMatch(/^Invalid AUTH_SIGNING_KEYS: /);
    expect(message).toMatch(reason);
    for (const secret of json.match(/"d":"[^"]+"/g) ?? []) {
      expect(message).not.toContain(secret.slice(5, -1));
    }
  });
});
