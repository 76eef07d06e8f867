import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { retirementDelaySeconds, rotateSigningKeys } from '../../src/auth/keys/key-rotation.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

async function get(path: string, init: RequestInit = {}) {
  return app.yoga.fetch(`http://yoga${path}`, init);
}

async function jwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await get('/.well-known/jwks.json');
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Record<string, unknown>[] };
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public part of the signing key, cacheable, enough to verify our tokens', async () => {
    app = await createTestApp({ AUTH_ISSUER: 'https://auth.example.com' });
    const response = await get('/.well-known/jwks.json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });

    const { accessToken } = await app.signUp();
    const verified = await jwtVerify(accessToken, createLocalJWKSet(body as never), {
      issuer: 'https://auth.example.com',
      typ: 'at+jwt',
      currentDate: new Date(app.clock.now()),
    });
    expect(verified.protectedHeader.kid).toBe(key?.kid);
  });

  it('lists active and retiring keys after a rotation, and drops a key once retired', async () => {
    app = await createTestApp();
    const [before] = (await jwks()).keys;
    const rotation = await rotateSigningKeys({ ...app.deps, config: app.config });
    if (!rotation.ok) throw new Error(rotation.failure);
    await app.deps.keys.refresh();
    expect((await jwks()).keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining([before?.kid, rotation.value.activated.kid]),
    );
    app.clock.advanceSeconds(retirementDelaySeconds(app.config.lifetimes));
    expect((await jwks()).keys.map((key) => key.kid)).toEqual([rotation.value.activated.kid]);
  });

  it('publishes ES256 keys with both coordinates and no private part', async () => {
    app = await createTestApp({ AUTH_SIGNING_ALGORITHM: 'ES256' });
    const [key] = (await jwks()).keys;
    expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });

  it('answers other methods with 405', async () => {
    app = await createTestApp();
    const response = await get('/.well-known/jwks.json', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer, the JWKS and the algorithms in use, and claims nothing else', async () => {
    app = await createTestApp({ AUTH_ISSUER: 'https://auth.example.com/' });
    const response = await get('/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await response.json()).toEqual({
      issuer: 'https://auth.example.com/',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      access_token_signing_alg_values_supported: ['EdDSA'],
    });
  });

  it('lists both algorithms, the signing one first, while an ES256 key retires behind an EdDSA one', async () => {
    app = await createTestApp({ AUTH_SIGNING_ALGORITHM: 'ES256' });
    await rotateSigningKeys({
      ...app.deps,
      config: { ...app.config, signingKeys: { algorithm: 'EdDSA', supplied: null } },
    });
    await app.deps.keys.refresh();
    const document = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(document.access_token_signing_alg_values_supported).toEqual(['EdDSA', 'ES256']);
  });
});
