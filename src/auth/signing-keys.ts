import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import type { Clock } from '../clock.js';
import type { SigningKeyRecord, StoredJwk } from '../db/records.js';
import type { SigningKeyStore } from '../db/store.js';

/** The default and, for now, only signing algorithm: Ed25519 signatures (RFC 8037). */
export const DEFAULT_SIGNING_ALGORITHM = 'EdDSA';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
}

/** The keys this process signs and verifies with, imported once at start-up. */
export interface KeyRing {
  readonly signing: SigningKey;
  /** The only algorithms a token may claim; anything else, `none` included, is refused. */
  readonly algorithms: readonly string[];
  /** The public key for `kid`, or undefined when the key is unknown or retired. */
  findVerificationKey(kid: string): CryptoKey | undefined;
}

/**
 * Loads the active and retiring keys from the store, creating and persisting an Ed25519 key on
 * the first start. Two processes starting together on a new database settle on one key.
 */
export async function loadKeyRing(store: SigningKeyStore, clock: Clock): Promise<KeyRing> {
  const active =
    (await store.findActive()) ?? (await store.activateIfNoneActive(await createSigningKey(clock)));
  const verifying = await store.listVerifying();

  const verificationKeys = new Map<string, CryptoKey>();
  for (const record of verifying) {
    verificationKeys.set(record.kid, await importKey(record.publicJwk, record.alg));
  }
  return {
    signing: {
      kid: active.kid,
      alg: active.alg,
      privateKey: await importKey(active.privateJwk, active.alg),
    },
    algorithms: [...new Set(verifying.map((record) => record.alg))],
    findVerificationKey: (kid) => verificationKeys.get(kid),
  };
}

/** Generates a new key pair; its `kid` is the RFC 7638 SHA-256 thumbprint of the public key. */
export async function createSigningKey(clock: Clock): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(DEFAULT_SIGNING_ALGORITHM, {
    crv: 'Ed25519',
    extractable: true,
  });
  const publicJwk = toStoredJwk(await exportJWK(publicKey));
  return {
    kid: await calculateJwkThumbprint(publicJwk, 'sha256'),
    alg: DEFAULT_SIGNING_ALGORITHM,
    status: 'active',
    publicJwk,
    privateJwk: toStoredJwk(await exportJWK(privateKey)),
    createdAt: clock.now(),
  };
}

/** Keeps only the key material members, so nothing else from the export is persisted. */
function toStoredJwk(jwk: JWK): StoredJwk {
  const stored: Record<string, string> = {};
  for (const member of ['kty', 'crv', 'x', 'y', 'd'] as const) {
    const value = jwk[member];
    if (typeof value === 'string') stored[member] = value;
  }
  return stored;
}

async function importKey(jwk: StoredJwk, alg: string): Promise<CryptoKey> {
  const key = await importJWK({ ...jwk }, alg);
  if (key instanceof Uint8Array)
    throw new Error(`Signing key for ${alg} is symmetric; expected a key pair.`);
  return key;
}
