import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import type { Clock } from '../../clock.js';
import type { SigningKeyRecord, StoredJwk } from '../ports/records.js';

/**
 * The algorithms the service can sign with: Ed25519 (RFC 8037) by default, ECDSA P-256 for
 * verifiers that lack Ed25519. Tokens claiming anything else, `none` included, are refused.
 */
export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = 'EdDSA';

const CURVES: Record<SigningAlgorithm, { kty: string; crv: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey;
}

/** The public half of a key as published in the JWKS: key material, `kid`, `alg`, `use`. */
export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly use: 'sig';
}

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly unknown[]).includes(value);
}

/** The algorithm a JWK's key type and curve stand for, or null when we cannot sign with it. */
export function algorithmOfJwk(jwk: Readonly<Record<string, unknown>>): SigningAlgorithm | null {
  for (const alg of SIGNING_ALGORITHMS) {
    if (jwk.kty === CURVES[alg].kty && jwk.crv === CURVES[alg].crv) return alg;
  }
  return null;
}

/**
 * Generates a new key pair for `algorithm`; its `kid` is the RFC 7638 SHA-256 thumbprint of the
 * public key, so the same key always has the same `kid` wherever it is computed.
 */
export async function createSigningKey(
  clock: Clock,
  algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM,
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(algorithm, {
    crv: CURVES[algorithm].crv,
    extractable: true,
  });
  const publicJwk = toStoredJwk(await exportJWK(publicKey));
  return {
    kid: await thumbprintOf(publicJwk),
    alg: algorithm,
    status: 'active',
    publicJwk,
    privateJwk: toStoredJwk(await exportJWK(privateKey)),
    createdAt: clock.now(),
    retiringSince: null,
    retiredAt: null,
  };
}

/** The RFC 7638 SHA-256 thumbprint: the `kid` of every key we hold. */
export function thumbprintOf(publicJwk: StoredJwk): Promise<string> {
  return calculateJwkThumbprint({ ...publicJwk }, 'sha256');
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y'] as const;

/** Keeps only the key material members, so nothing else from an export is persisted. */
export function toStoredJwk(jwk: Readonly<Record<string, unknown>>): StoredJwk {
  const stored: Record<string, string> = {};
  for (const member of [...PUBLIC_MEMBERS, 'd'] as const) {
    const value = jwk[member];
    if (typeof value === 'string') stored[member] = value;
  }
  return stored;
}

/** The publishable form of a key: public members only, whatever the record holds. */
export function toPublicJwk(record: SigningKeyRecord): PublicJwk {
  const { kty, crv, x, y } = record.publicJwk;
  if (
    kty === undefined ||
    crv === undefined ||
    x === undefined ||
    !isSigningAlgorithm(record.alg)
  ) {
    throw new Error(`Signing key ${record.kid} has an incomplete public key.`);
  }
  return {
    kty,
    crv,
    x,
    ...(y === undefined ? {} : { y }),
    kid: record.kid,
    alg: record.alg,
    use: 'sig',
  };
}

export async function importKey(jwk: StoredJwk | JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK({ ...jwk }, alg);
  if (key instanceof Uint8Array)
    throw new Error(`Signing key for ${alg} is symmetric; expected a key pair.`);
  return key;
}
