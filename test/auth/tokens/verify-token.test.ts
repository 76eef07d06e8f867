import {
  type CryptoKey,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../../src/auth/keys/key-ring.js';
import { openKeyRing } from '../../../src/auth/keys/open-key-ring.js';
import type { SigningKey } from '../../../src/auth/keys/signing-keys.js';
import { signAccessToken, signRefreshToken } from '../../../src/auth/tokens/sign-token.js';
import { verifyToken } from '../../../src/auth/tokens/verify-token.js';
import { loadConfig } from '../../../src/config.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import { createTestClock } from '../../helpers/clock.js';
import { TOKEN_SETTINGS, tokenClaims } from '../../helpers/tokens.js';

const clock = createTestClock();
const NOW = Math.floor(clock.now() / 1000);
const settings = TOKEN_SETTINGS;
const claims = tokenClaims(NOW);

let keys: KeyRing;
let signing: SigningKey;
beforeAll(async () => {
  const config = loadConfig({ DATABASE_URL: ':memory:' });
  keys = await openKeyRing(config, openSqliteStore(':memory:').signingKeys, clock, {
    unknownKidReloadIntervalMs: 0,
  });
  signing = await keys.signingKey();
});

function verify(token: string, expected: 'access' | 'refresh' = 'access', at = clock.now()) {
  return verifyToken(token, expected, keys, settings, at);
}

/** Signs arbitrary header and payload with our own active key. */
function signOwn(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt', ...header })
    .sign(signing.privateKey);
}

/** jose refuses to sign an unknown `crit`, so this signs the bytes with WebCrypto directly. */
async function signRaw(extraHeader: Record<string, unknown>): Promise<string> {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt', ...extraHeader };
  const input = `${encode(header)}.${encode(accessPayload())}`;
  const data = new TextEncoder().encode(input);
  const signature = await crypto.subtle.sign('Ed25519', signing.privateKey, data);
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

function accessPayload(overrides: JWTPayload = {}): JWTPayload {
  return {
    type: 'access',
    sid: 'session-1',
    roles: ['USER'],
    iss: settings.issuer,
    aud: settings.audience,
    sub: 'user-1',
    jti: 'jti-1',
    iat: NOW,
    exp: NOW + 900,
    ...overrides,
  };
}

describe('verifyToken', () => {
  it('accepts our access token and returns its claims', async () => {
    const token = await signAccessToken(keys, settings, { ...claims, roles: ['USER', 'ADMIN'] });
    expect(await verify(token)).toEqual({
      ok: true,
      value: {
        type: 'access',
        userId: 'user-1',
        sessionId: 'session-1',
        tokenId: 'jti-1',
        issuedAt: NOW,
        expiresAt: NOW + 900,
        roles: ['USER', 'ADMIN'],
        restrictions: [],
        // No assurance given: assurance 1 after a password, at issue.
        assurance: { level: 1, methods: ['pwd'], authTime: NOW },
      },
    });
  });

  it('reads a restricted token: no roles, and its restrictions', async () => {
    const token = await signAccessToken(keys, settings, {
      ...claims,
      roles: ['USER', 'ADMIN'],
      restrictions: ['EMAIL_NOT_VERIFIED'],
    });
    expect(await verify(token)).toMatchObject({
      ok: true,
      value: { roles: [], restrictions: ['EMAIL_NOT_VERIFIED'] },
    });
  });

  it('accepts our refresh token where a refresh token is expected', async () => {
    const token = await signRefreshToken(keys, settings, { ...claims, expiresAt: NOW + 86_400 });
    expect(await verify(token, 'refresh')).toMatchObject({
      ok: true,
      value: { type: 'refresh', roles: [] },
    });
  });

  it('reports a genuine token of the other type as TOKEN_TYPE_MISMATCH, both ways', async () => {
    const access = await signAccessToken(keys, settings, { ...claims, roles: ['USER'] });
    const refresh = await signRefreshToken(keys, settings, claims);
    expect(await verify(access, 'refresh')).toEqual({ ok: false, failure: 'TOKEN_TYPE_MISMATCH' });
    expect(await verify(refresh, 'access')).toEqual({ ok: false, failure: 'TOKEN_TYPE_MISMATCH' });
  });

  it('reports TOKEN_EXPIRED past exp plus the 5 s tolerance', async () => {
    const token = await signAccessToken(keys, settings, { ...claims, roles: ['USER'] });
    expect((await verify(token, 'access', (NOW + 904) * 1000)).ok).toBe(true);
    expect(await verify(token, 'access', (NOW + 906) * 1000)).toEqual({
      ok: false,
      failure: 'TOKEN_EXPIRED',
    });
  });

  it('produces the same refresh token for the same claims (deterministic Ed25519)', async () => {
    expect(await signRefreshToken(keys, settings, claims)).toBe(
      await signRefreshToken(keys, settings, claims),
    );
  });

  it('accepts a hand-signed token without extras (the control for the crit case)', async () => {
    expect((await verify(await signRaw({}))).ok).toBe(true);
  });

  it('accepts a scope that is the roles, as we write it (the control for the scope cases)', async () => {
    const token = await signOwn(accessPayload({ roles: ['USER', 'ADMIN'], scope: 'USER ADMIN' }));
    expect((await verify(token)).ok).toBe(true);
  });

  const invalid: [string, () => Promise<string>][] = [
    ['a wrong issuer', () => signOwn(accessPayload({ iss: 'https://evil.example.com' }))],
    ['a wrong audience', () => signOwn(accessPayload({ aud: 'https://other.example.com' }))],
    [
      'a header typ contradicting the type claim',
      () => signOwn(accessPayload({ type: 'refresh' })),
    ],
    ['no typ header', () => signOwn(accessPayload(), { typ: undefined })],
    ['a generic JWT typ', () => signOwn(accessPayload(), { typ: 'JWT' })],
    ['a missing sid', () => signOwn(accessPayload({ sid: undefined }))],
    ['a missing jti', () => signOwn(accessPayload({ jti: undefined }))],
    ['a missing exp', () => signOwn(accessPayload({ exp: undefined }))],
    [
      'an exp beyond the access lifetime',
      () => signOwn(accessPayload({ exp: NOW + 365 * 86_400 })),
    ],
    ['an nbf in the future', () => signOwn(accessPayload({ nbf: NOW + 3600 }))],
    ['an iat in the future', () => signOwn(accessPayload({ iat: NOW + 3600, exp: NOW + 3700 }))],
    ['an unknown role', () => signOwn(accessPayload({ roles: ['ROOT'] }))],
    ['roles that are not a list', () => signOwn(accessPayload({ roles: 'ADMIN' }))],
    // Found by the fuzz suite (test/fuzz/tokens.test.ts): `scope` was not checked at all.
    ['a scope that is not a string', () => signOwn(accessPayload({ scope: { admin: true } }))],
    ['a scope wider than the roles', () => signOwn(accessPayload({ scope: 'USER ADMIN' }))],
    ['an unknown kid', () => signOwn(accessPayload(), { kid: 'someone-else' })],
    [
      'an unknown kid shaped like a thumbprint (after a reload)',
      () => signOwn(accessPayload(), { kid: 'A'.repeat(43) }),
    ],
    [
      'ES256 claimed under our EdDSA kid',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT(accessPayload())
          .setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: 'at+jwt' })
          .sign(privateKey as CryptoKey);
      },
    ],
    ['a kid with path traversal', () => signOwn(accessPayload(), { kid: '../../etc/passwd' })],
    ['a kid with SQL', () => signOwn(accessPayload(), { kid: "' OR 1=1 --" })],
    ['an unknown crit header', () => signRaw({ crit: ['urn:x-unknown'], 'urn:x-unknown': 1 })],
    [
      'a foreign key claiming our kid',
      async () => {
        const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
        return new SignJWT(accessPayload())
          .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt' })
          .sign(privateKey as CryptoKey);
      },
    ],
    [
      'alg none',
      async () => {
        const unsecured = new UnsecuredJWT(accessPayload()).encode();
        const [, payload] = unsecured.split('.');
        const header = Buffer.from(
          JSON.stringify({ alg: 'none', kid: signing.kid, typ: 'at+jwt' }),
        ).toString('base64url');
        return `${header}.${payload}.`;
      },
    ],
    [
      'HS256 with our public key as the secret',
      async () => {
        const found = await keys.findVerificationKey(signing.kid);
        if (!found) throw new Error('no key');
        const secret = new TextEncoder().encode(await exportSPKI(found.key));
        return new SignJWT(accessPayload())
          .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'at+jwt' })
          .sign(secret);
      },
    ],
    [
      'a payload edited under the original signature',
      async () => {
        const [header, , signature] = (await signRefreshToken(keys, settings, claims)).split('.');
        const edited = Buffer.from(JSON.stringify(accessPayload())).toString('base64url');
        return `${header}.${edited}.${signature}`;
      },
    ],
    [
      'a stripped signature',
      async () => {
        const [header, payload] = (await signOwn(accessPayload())).split('.');
        return `${header}.${payload}.`;
      },
    ],
    ['a truncated signature', async () => (await signOwn(accessPayload())).slice(0, -10)],
    ['not a JWT at all', async () => 'definitely-not-a-jwt'],
    ['five parts, JWE-shaped', async () => 'a.b.c.d.e'],
  ];

  it.each(invalid)('reports %s as TOKEN_INVALID', async (_name, build) => {
    expect(await verify(await build())).toEqual({ ok: false, failure: 'TOKEN_INVALID' });
  });
});
