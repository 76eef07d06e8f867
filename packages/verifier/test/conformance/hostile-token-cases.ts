import { createHmac } from 'node:crypto';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';
import type { RefusalReason } from '../../src/index.js';

// The one conformance list: hostile access tokens that the service (test/schema/
// hostile-tokens.test.ts, over GraphQL) and this package (hostile-tokens.test.ts beside this
// file, through verify) must both refuse, with one of the same reasons. A case added here is
// run by both, so the two can never disagree on a token.

/** What a case may build its tokens from: genuine tokens and the service's own signing key. */
export interface HostileTokenContext {
  /** The victim's genuine pair; its access claims are the base of most forgeries. */
  readonly victim: { readonly accessToken: string; readonly refreshToken: string };
  /** Another user's genuine access token. */
  readonly other: { readonly accessToken: string };
  /** The service's active EdDSA key, as an insider (or a stolen backup) would hold it. */
  readonly signing: { readonly kid: string; readonly privateKey: CryptoKey };
  /** The public half, which anyone can fetch from the JWKS. */
  readonly publicKey: CryptoKey;
  /** A URL that would serve an attacker's keys; nobody may ever fetch it. */
  readonly attackerJwksUrl: string;
  /** The service's clock, in seconds. */
  nowSeconds(): number;
}

export interface HostileTokenCase {
  readonly group: 'shape' | 'algorithm' | 'header' | 'claims';
  readonly name: string;
  /** The Authorization header values to send (null: no header); each one must be refused. */
  build(context: HostileTokenContext): Promise<readonly (string | null)[]>;
  /** The reasons either verifier may answer with; UNAUTHENTICATED is the code for all. */
  readonly reasons: readonly RefusalReason[];
  /**
   * Set when only a verifier holding the session store can tell: the token is signed by our
   * own key, so a stateless verifier has nothing to refuse it on. The value says why.
   */
  readonly needsSessionStore?: string;
}

export function claimsOf(token: string): JWTPayload {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as JWTPayload;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The victim's genuine access-token claims, with overrides. */
function accessClaims(context: HostileTokenContext, overrides: JWTPayload = {}): JWTPayload {
  return { ...claimsOf(context.victim.accessToken), ...overrides };
}

function signOurs(
  context: HostileTokenContext,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const { kid, privateKey } = context.signing;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header })
    .sign(privateKey);
}

/** Signs with our key over a header jose would refuse to produce (crit, b64). */
async function signOursRaw(
  context: HostileTokenContext,
  header: Record<string, unknown>,
  payload: JWTPayload,
): Promise<string> {
  const full = { alg: 'EdDSA', kid: context.signing.kid, typ: 'at+jwt', ...header };
  const input = `${encode(full)}.${encode(payload)}`;
  const signature = await crypto.subtle.sign(
    'Ed25519',
    context.signing.privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

function hs256(context: HostileTokenContext, secret: Uint8Array): Promise<string> {
  return new SignJWT(accessClaims(context))
    .setProtectedHeader({ alg: 'HS256', kid: context.signing.kid, typ: 'at+jwt' })
    .sign(secret);
}

function attackerKeys() {
  return generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
}

function bearer(tokens: readonly string[]): string[] {
  return tokens.map((token) => `Bearer ${token}`);
}

const INVALID: readonly RefusalReason[] = ['TOKEN_INVALID'];

export const HOSTILE_TOKEN_CASES: readonly HostileTokenCase[] = [
  {
    group: 'shape',
    name: 'no token, or Bearer with nothing after it, is TOKEN_MISSING',
    build: async () => [null, 'Bearer', 'Bearer    '],
    reasons: ['TOKEN_MISSING'],
  },
  {
    group: 'shape',
    name: 'a genuine refresh token where an access token belongs',
    build: async ({ victim }) => [`Bearer ${victim.refreshToken}`, `bearer ${victim.refreshToken}`],
    reasons: ['TOKEN_TYPE_MISMATCH'],
  },
  {
    group: 'shape',
    name: 'a stripped, empty or truncated signature',
    build: async ({ victim }) => {
      const [header, payload, signature = ''] = victim.accessToken.split('.');
      return [
        `Bearer ${header}.${payload}`,
        `Bearer ${header}.${payload}.`,
        `Bearer ${header}.${payload}.${signature.slice(0, 20)}`,
      ];
    },
    reasons: INVALID,
  },
  {
    group: 'shape',
    name: 'a refresh payload edited to access under the original signature',
    build: async ({ victim }) => {
      const [header, , signature] = victim.refreshToken.split('.');
      const flipped = encode({
        ...claimsOf(victim.refreshToken),
        type: 'access',
        roles: ['ADMIN'],
      });
      const accessHeader = encode({
        ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
        typ: 'at+jwt',
      });
      return [
        `Bearer ${header}.${flipped}.${signature}`,
        `Bearer ${accessHeader}.${flipped}.${signature}`,
      ];
    },
    reasons: ['TOKEN_INVALID', 'TOKEN_TYPE_MISMATCH'],
  },
  {
    group: 'shape',
    name: 'non-base64url characters, the JSON serialisation and a five-part JWE shape',
    build: async ({ victim }) => {
      const [header, payload, signature] = victim.accessToken.split('.');
      const json = JSON.stringify({ payload, signatures: [{ protected: header, signature }] });
      return [
        `Bearer ${header}.${payload}.${signature}$%`,
        `Bearer ${header}.${payload}!.${signature}`,
        `Bearer ${json}`,
        `Bearer ${Buffer.from(json).toString('base64url')}`,
        `Bearer ${encode({ alg: 'dir', enc: 'A256GCM' })}.e.iv.ct.tag`,
      ];
    },
    reasons: INVALID,
  },
  {
    group: 'shape',
    name: 'a token of several kilobytes',
    build: async (context) => [
      `Bearer ${await signOurs(context, accessClaims(context, { pad: 'x'.repeat(6_000) }))}`,
      `Bearer ${'a'.repeat(3_000)}.${'b'.repeat(3_000)}.${'c'.repeat(100)}`,
    ],
    reasons: INVALID,
  },
  ...['none', 'None', 'NONE', 'nOnE'].map(
    (alg): HostileTokenCase => ({
      group: 'algorithm',
      name: `alg ${alg}`,
      build: async (context) => {
        const header = encode({ alg, kid: context.signing.kid, typ: 'at+jwt' });
        const payload = encode(accessClaims(context));
        return [`Bearer ${header}.${payload}.`, `Bearer ${header}.${payload}`];
      },
      reasons: INVALID,
    }),
  ),
  {
    group: 'algorithm',
    name: 'HS256 keyed with our public key as PEM, DER and JWK',
    build: async (context) => {
      const pem = await exportSPKI(context.publicKey);
      const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
      const jwk = JSON.stringify(await exportJWK(context.publicKey));
      const encoder = new TextEncoder();
      return bearer([
        await hs256(context, encoder.encode(pem)),
        await hs256(context, encoder.encode(jwk)),
        await hs256(context, new Uint8Array(der)),
      ]);
    },
    reasons: INVALID,
  },
  {
    group: 'algorithm',
    name: 'HS256 signed with an empty secret',
    build: async (context) => {
      // jose will not sign with an empty key, so the HMAC is computed directly.
      const input = `${encode({ alg: 'HS256', typ: 'at+jwt' })}.${encode(accessClaims(context))}`;
      const signature = createHmac('sha256', Buffer.alloc(0)).update(input).digest('base64url');
      return [`Bearer ${input}.${signature}`];
    },
    reasons: INVALID,
  },
  {
    group: 'algorithm',
    name: 'an ES256 signature of all zeros (r = s = 0)',
    build: async (context) => {
      const header = encode({ alg: 'ES256', kid: context.signing.kid, typ: 'at+jwt' });
      const input = `${header}.${encode(accessClaims(context))}`;
      return [`Bearer ${input}.${Buffer.alloc(64).toString('base64url')}`];
    },
    reasons: INVALID,
  },
  {
    group: 'header',
    name: 'an embedded jwk header: a self-signed token',
    build: async (context) => {
      const { privateKey, publicKey } = await attackerKeys();
      const jwk = await exportJWK(publicKey);
      const token = await new SignJWT(accessClaims(context))
        .setProtectedHeader({
          alg: 'EdDSA',
          typ: 'at+jwt',
          jwk: { ...jwk, kty: 'OKP', crv: 'Ed25519', x: jwk.x ?? '' },
        })
        .sign(privateKey);
      return [`Bearer ${token}`];
    },
    reasons: INVALID,
  },
  {
    group: 'header',
    name: 'a jku or x5u URL, on an attacker’s token and on one our key signed',
    build: async (context) => {
      const { privateKey } = await attackerKeys();
      const url = context.attackerJwksUrl;
      const tokens: string[] = [];
      for (const header of [{ jku: url }, { x5u: url }, { jku: url, kid: 'attacker' }]) {
        tokens.push(
          await new SignJWT(accessClaims(context))
            .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
            .sign(privateKey),
        );
      }
      tokens.push(await signOurs(context, accessClaims(context), { jku: url, x5u: url }));
      return bearer(tokens);
    },
    reasons: INVALID,
  },
  ...[
    ['path traversal', '../../../../etc/passwd'],
    ['SQL', "x' UNION SELECT private_jwk FROM signing_keys --"],
    ['a NUL byte', 'kid\u0000'],
  ].map(
    ([what, kid]): HostileTokenCase => ({
      group: 'header',
      name: `a kid with ${what}`,
      build: async (context) => [
        `Bearer ${await signOurs(context, accessClaims(context), { kid })}`,
      ],
      reasons: INVALID,
    }),
  ),
  {
    group: 'header',
    name: 'an unknown crit, and b64: false',
    build: async (context) => {
      const claims = accessClaims(context);
      return bearer([
        await signOursRaw(
          context,
          { crit: ['urn:example:unknown'], 'urn:example:unknown': true },
          claims,
        ),
        await signOursRaw(context, { crit: ['b64'], b64: false }, claims),
      ]);
    },
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'a wrong issuer, a wrong audience, and a foreign key under our kid',
    build: async (context) => {
      const { privateKey } = await attackerKeys();
      const foreign = await new SignJWT(accessClaims(context))
        .setProtectedHeader({ alg: 'EdDSA', kid: context.signing.kid, typ: 'at+jwt' })
        .sign(privateKey);
      return bearer([
        await signOurs(context, accessClaims(context, { iss: 'https://evil.example' })),
        await signOurs(context, accessClaims(context, { aud: 'https://other.example' })),
        foreign,
      ]);
    },
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'a missing exp, a far-future exp, and nbf or iat in the future',
    build: async (context) => {
      const now = context.nowSeconds();
      return bearer([
        await signOurs(context, accessClaims(context, { exp: undefined })),
        await signOurs(context, accessClaims(context, { exp: now + 10 * 365 * 86_400 })),
        await signOurs(context, accessClaims(context, { nbf: now + 600 })),
        await signOurs(context, accessClaims(context, { iat: now + 600, exp: now + 900 })),
      ]);
    },
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'a missing jti or sid',
    build: async (context) =>
      bearer([
        await signOurs(context, accessClaims(context, { jti: undefined })),
        await signOurs(context, accessClaims(context, { sid: undefined })),
      ]),
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'roles the service never writes, or a scope that disagrees with them',
    build: async (context) =>
      bearer([
        await signOurs(context, accessClaims(context, { roles: ['ROOT'] })),
        await signOurs(context, accessClaims(context, { roles: 'ADMIN' })),
        await signOurs(context, accessClaims(context, { scope: 'ADMIN' })),
      ]),
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'a refresh token’s claims under an access header, signed by our key',
    build: async (context) => [
      `Bearer ${await signOurs(context, { ...claimsOf(context.victim.refreshToken) })}`,
    ],
    reasons: INVALID,
  },
  {
    group: 'claims',
    name: 'a sid naming another user’s session',
    build: async (context) => {
      const otherSid = claimsOf(context.other.accessToken).sid;
      return [`Bearer ${await signOurs(context, accessClaims(context, { sid: otherSid }))}`];
    },
    reasons: INVALID,
    needsSessionStore:
      'the session’s user is in the store; a token our own key signed says nothing else wrong',
  },
];
