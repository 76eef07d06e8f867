import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningKey } from '../../src/auth/keys/signing-keys.js';
import { createTestApp, firstError, type TestApp, type TokenPairResponse } from '../helpers/app.js';

// Every token here is built in the test with jose (or by hand where jose refuses to build it),
// sent over the GraphQL endpoint, and must be refused as UNAUTHENTICATED without a 5xx.

let app: TestApp;
let victim: TokenPairResponse;
let other: TokenPairResponse;
let signing: SigningKey;
let jwksServer: Server;
let jwksUrl: string;
let outboundRequests = 0;

beforeAll(async () => {
  app = await createTestApp();
  signing = await app.deps.keys.signingKey();
  victim = await app.signUp('victim@example.com');
  other = await app.signUp('other@example.com');
  // A server that would hand out an attacker's keys; the service must never call it.
  jwksServer = createServer((_req, res) => {
    outboundRequests += 1;
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await app.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

const NOW = () => Math.floor(app.clock.now() / 1000);

function claimsOf(token: string): JWTPayload {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as JWTPayload;
}

/** The victim's genuine access-token claims, with overrides. */
function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  return { ...claimsOf(victim.accessToken), ...overrides };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signOurs(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const { kid, privateKey } = signing;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })
    .sign(privateKey);
}

/** Signs with our key over a header jose would refuse to produce (crit, b64). */
async function signOursRaw(header: Record<string, unknown>, payload: JWTPayload): Promise<string> {
  const input = `${encode({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt', ...header })}.${encode(payload)}`;
  const signature = await crypto.subtle.sign(
    'Ed25519',
    signing.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

function hs256(secret: Uint8Array, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: signing.kid, typ: 'at+jwt' })
    .sign(secret);
}

async function publicKey(): Promise<CryptoKey> {
  const found = await app.deps.keys.findVerificationKey(signing.kid);
  if (found === undefined) throw new Error('no verification key for the signing kid');
  return found.key;
}

async function attackerKeys() {
  return generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
}

/** Sends `{ me { id } }` with the raw Authorization header value. */
async function askMe(authorization: string | null) {
  const body = JSON.stringify({ query: '{ me { id } }' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function expectRefused(authorization: string | null, reasons: string[] = ['TOKEN_INVALID']) {
  const { status, body } = await askMe(authorization);
  expect(status).toBeLessThan(500);
  expect(body.data).toBeNull();
  const extensions = firstError(body as never);
  expect(extensions?.code).toBe('UNAUTHENTICATED');
  expect(reasons).toContain(extensions?.reason);
}

describe('hostile tokens: shape', () => {
  it('control: the genuine access token is accepted', async () => {
    const { body } = await askMe(`Bearer ${victim.accessToken}`);
    expect(body).toEqual({ data: { me: { id: victim.user.id } } });
  });

  it('no token, or Bearer with nothing after it, is TOKEN_MISSING', async () => {
    await expectRefused(null, ['TOKEN_MISSING']);
    await expectRefused('Bearer', ['TOKEN_MISSING']);
    await expectRefused('Bearer    ', ['TOKEN_MISSING']);
  });

  it('refuses a stripped, empty or truncated signature', async () => {
    const [header, payload, signature = ''] = victim.accessToken.split('.');
    await expectRefused(`Bearer ${header}.${payload}`);
    await expectRefused(`Bearer ${header}.${payload}.`);
    await expectRefused(`Bearer ${header}.${payload}.${signature.slice(0, 20)}`);
  });

  it('refuses a payload edited under the original signature (refresh flipped to access)', async () => {
    const [header, , signature] = victim.refreshToken.split('.');
    const flipped = encode({ ...claimsOf(victim.refreshToken), type: 'access', roles: ['ADMIN'] });
    const accessHeader = encode({
      ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
      typ: 'at+jwt',
    });
    await expectRefused(`Bearer ${header}.${flipped}.${signature}`, [
      'TOKEN_INVALID',
      'TOKEN_TYPE_MISMATCH',
    ]);
    await expectRefused(`Bearer ${accessHeader}.${flipped}.${signature}`);
  });

  it('refuses non-base64url characters, the JSON serialisation and a five-part JWE shape', async () => {
    const [header, payload, signature] = victim.accessToken.split('.');
    await expectRefused(`Bearer ${header}.${payload}.${signature}$%`);
    await expectRefused(`Bearer ${header}.${payload}!.${signature}`);
    const json = JSON.stringify({ payload, signatures: [{ protected: header, signature }] });
    await expectRefused(`Bearer ${json}`);
    await expectRefused(`Bearer ${Buffer.from(json).toString('base64url')}`);
    await expectRefused(`Bearer ${encode({ alg: 'dir', enc: 'A256GCM' })}.e.iv.ct.tag`);
  });

  it('refuses a token of several kilobytes', async () => {
    const padded = await signOurs(accessClaims({ pad: 'x'.repeat(6_000) }));
    await expectRefused(`Bearer ${padded}`);
    await expectRefused(`Bearer ${'a'.repeat(3_000)}.${'b'.repeat(3_000)}.${'c'.repeat(100)}`);
  });
});

describe('hostile tokens: algorithm', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
    const header = encode({ alg, kid: signing.kid, typ: 'at+jwt' });
    await expectRefused(`Bearer ${header}.${encode(accessClaims())}.`);
    await expectRefused(`Bearer ${header}.${encode(accessClaims())}`);
  });

  it('refuses HS256 keyed with our public key as PEM, DER and JWK', async () => {
    const key = await publicKey();
    const pem = await exportSPKI(key);
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const jwk = JSON.stringify(await exportJWK(key));
    for (const secret of [pem, jwk]) {
      await expectRefused(
        `Bearer ${await hs256(new TextEncoder().encode(secret), accessClaims())}`,
      );
    }
    await expectRefused(`Bearer ${await hs256(new Uint8Array(der), accessClaims())}`);
  });

  it('refuses HS256 signed with an empty secret', async () => {
    // jose will not sign with an empty key, so the HMAC is computed directly.
    const input = `${encode({ alg: 'HS256', typ: 'at+jwt' })}.${encode(accessClaims())}`;
    const signature = createHmac('sha256', Buffer.alloc(0)).update(input).digest('base64url');
    await expectRefused(`Bearer ${input}.${signature}`);
  });

  it('refuses an ES256 signature of all zeros (r = s = 0)', async () => {
    const input = `${encode({ alg: 'ES256', kid: signing.kid, typ: 'at+jwt' })}.${encode(accessClaims())}`;
    await expectRefused(`Bearer ${input}.${Buffer.alloc(64).toString('base64url')}`);
  });
});

describe('hostile tokens: header tricks', () => {
  it('ignores an embedded jwk header: a self-signed token is refused', async () => {
    const { privateKey, publicKey: attackerPublic } = await attackerKeys();
    const jwk = await exportJWK(attackerPublic);
    const token = await new SignJWT(accessClaims())
      .setProtectedHeader({
        alg: 'EdDSA',
        typ: 'at+jwt',
        jwk: { ...jwk, kty: 'OKP', crv: 'Ed25519', x: jwk.x ?? '' },
      })
      .sign(privateKey);
    await expectRefused(`Bearer ${token}`);
  });

  it('never fetches a jku or x5u URL', async () => {
    const { privateKey } = await attackerKeys();
    for (const header of [{ jku: jwksUrl }, { x5u: jwksUrl }, { jku: jwksUrl, kid: 'attacker' }]) {
      const token = await new SignJWT(accessClaims())
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
        .sign(privateKey);
      await expectRefused(`Bearer ${token}`);
    }
    // The same headers on a token our key signed must not trigger a fetch either.
    await expectRefused(`Bearer ${await signOurs(accessClaims(), { jku: jwksUrl, x5u: jwksUrl })}`);
    expect(outboundRequests).toBe(0);
  });

  it.each([
    ['path traversal', '../../../../etc/passwd'],
    ['SQL', "x' UNION SELECT private_jwk FROM signing_keys --"],
    ['a NUL byte', 'kid\u0000'],
  ])('refuses a kid with %s', async (_name, kid) => {
    await expectRefused(`Bearer ${await signOurs(accessClaims(), { kid })}`);
  });

  it('refuses an unknown crit and b64: false', async () => {
    await expectRefused(
      `Bearer ${await signOursRaw({ crit: ['urn:example:unknown'], 'urn:example:unknown': true }, accessClaims())}`,
    );
    await expectRefused(
      `Bearer ${await signOursRaw({ crit: ['b64'], b64: false }, accessClaims())}`,
    );
  });
});

describe('hostile tokens: claims', () => {
  it('refuses a wrong issuer, a wrong audience, and a foreign key', async () => {
    await expectRefused(`Bearer ${await signOurs(accessClaims({ iss: 'https://evil.example' }))}`);
    await expectRefused(`Bearer ${await signOurs(accessClaims({ aud: 'https://other.example' }))}`);
    const { privateKey } = await attackerKeys();
    const foreign = await new SignJWT(accessClaims())
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt' })
      .sign(privateKey);
    await expectRefused(`Bearer ${foreign}`);
  });

  it('refuses a missing exp, a far-future exp, and nbf or iat in the future', async () => {
    const now = NOW();
    await expectRefused(`Bearer ${await signOurs(accessClaims({ exp: undefined }))}`);
    await expectRefused(`Bearer ${await signOurs(accessClaims({ exp: now + 10 * 365 * 86_400 }))}`);
    await expectRefused(`Bearer ${await signOurs(accessClaims({ nbf: now + 600 }))}`);
    await expectRefused(
      `Bearer ${await signOurs(accessClaims({ iat: now + 600, exp: now + 900 }))}`,
    );
  });

  it('refuses a missing jti or sid', async () => {
    await expectRefused(`Bearer ${await signOurs(accessClaims({ jti: undefined }))}`);
    await expectRefused(`Bearer ${await signOurs(accessClaims({ sid: undefined }))}`);
  });

  it('refuses a sid naming another user’s session', async () => {
    const otherSid = claimsOf(other.accessToken).sid;
    await expectRefused(`Bearer ${await signOurs(accessClaims({ sid: otherSid }))}`);
  });
});

describe('token type confusion', () => {
  const rtkRefusedOn: [string, string][] = [
    ['me', '{ me { id } }'],
    ['users', '{ users { id } }'],
    ['mySessions', '{ mySessions { id } }'],
    ['auditEvents', '{ auditEvents { pageInfo { hasNextPage } } }'],
    ['logout', 'mutation { logout }'],
    ['revokeSession', 'mutation { revokeSession(id: "x") }'],
    ['revokeUserSessions', 'mutation { revokeUserSessions(userId: "x") }'],
    [
      'changePassword',
      'mutation { changePassword(input: { currentPassword: "a", newPassword: "bbbbbbbbbb" }) { accessToken } }',
    ],
  ];

  it.each(rtkRefusedOn)('refuses a refresh token on %s', async (_field, query) => {
    const response = await app.graphql(query, { token: victim.refreshToken });
    expect(response.status).toBeLessThan(500);
    expect(firstError(response)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('refuses an access token on reissue', async () => {
    const response = await app.reissue(victim.accessToken);
    expect(firstError(response)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });
});
