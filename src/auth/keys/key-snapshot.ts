import type { CryptoKey } from 'jose';
import type { Clock } from '../../clock.js';
import type { SigningKeyRecord, StoredJwk } from '../ports/records.js';
import type { KeySource } from './key-sources.js';
import {
  importKey,
  isSigningAlgorithm,
  type PublicJwk,
  type SigningAlgorithm,
  type SigningKey,
  toPublicJwk,
} from './signing-keys.js';

export interface VerificationKey {
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
}

/** The public keys to publish, and the algorithms they use. */
export interface PublishedKeys {
  readonly keys: readonly PublicJwk[];
  readonly algorithms: readonly SigningAlgorithm[];
}

export interface LoadedKey extends VerificationKey {
  readonly publicJwk: PublicJwk;
  /** Milliseconds; null for a key that is not retiring, or whose retirement is not timed. */
  readonly retiresAt: number | null;
}

/** One read of the key source: the keys a ring uses until the next read replaces it. */
export interface KeySnapshot {
  /** When the read started, by the ring's clock. */
  readonly loadedAt: number;
  readonly signing: SigningKey;
  readonly keys: ReadonlyMap<string, LoadedKey>;
}

/** Imports a key, or returns the key object already imported for the same kid and half. */
export type ImportKeyOnce = (kid: string, jwk: StoredJwk, alg: string) => Promise<CryptoKey>;

/** A ring's importer, with a read-out of how many key objects it keeps (for `/metrics`). */
export interface KeyImporter {
  readonly importKeyOnce: ImportKeyOnce;
  /** Key halves imported so far; never shrinks, so it grows by two per rotation seen. */
  readonly size: number;
}

/**
 * One importer per ring. A reload then keeps the very key object for a `kid` (the key's own
 * thumbprint), which the verified-token cache compares to tell a kept key from a replaced one.
 */
export function createKeyImporter(): KeyImporter {
  const imported = new Map<string, Promise<CryptoKey>>();
  return {
    importKeyOnce(kid, jwk, alg) {
      const id = `${kid}:${jwk.d === undefined ? 'public' : 'private'}`;
      let promise = imported.get(id);
      if (promise === undefined) {
        promise = importKey(jwk, alg);
        imported.set(id, promise);
      }
      return promise;
    },
    get size() {
      return imported.size;
    },
  };
}

export interface SnapshotReader {
  readonly source: KeySource;
  readonly clock: Clock;
  readonly importKeyOnce: ImportKeyOnce;
  /** How long after it stopped signing a retiring key still verifies. */
  readonly retireAfterSeconds: number;
}

/**
 * Reads the source once. Keys with an algorithm we do not sign with are left out, so they are
 * never published nor trusted.
 *
 * @throws when the source fails or has no usable active key; the caller keeps its last snapshot.
 */
export async function readKeySnapshot(reader: SnapshotReader): Promise<KeySnapshot> {
  const { source, clock, importKeyOnce, retireAfterSeconds } = reader;
  const loadedAt = clock.now();
  const records = await source.load();
  const active = records.find((record) => record.status === 'active');
  if (active === undefined || !isSigningAlgorithm(active.alg)) {
    throw new Error('The key source has no active signing key.');
  }
  const keys = new Map<string, LoadedKey>();
  for (const record of records) {
    if (!isSigningAlgorithm(record.alg)) continue;
    keys.set(record.kid, {
      alg: record.alg,
      key: await importKeyOnce(record.kid, { ...record.publicJwk }, record.alg),
      publicJwk: toPublicJwk(record),
      retiresAt: retirementOf(record, retireAfterSeconds),
    });
  }
  const signing: SigningKey = {
    kid: active.kid,
    alg: active.alg,
    privateKey: await importKeyOnce(active.kid, { ...active.privateJwk }, active.alg),
  };
  return { loadedAt, signing, keys };
}

/** The key while it may verify at `now`: known, and not past its retirement. */
export function usableKey(entry: LoadedKey | undefined, now: number): VerificationKey | undefined {
  if (entry === undefined) return undefined;
  if (entry.retiresAt !== null && now >= entry.retiresAt) return undefined;
  return { alg: entry.alg, key: entry.key };
}

/** The keys that may verify at `now`, public members only: the signing key first. */
export function publishedKeysOf(snapshot: KeySnapshot, now: number): PublishedKeys {
  const keys = [...snapshot.keys.values()]
    .filter((entry) => usableKey(entry, now) !== undefined)
    .map((entry) => entry.publicJwk)
    .sort(
      (x, y) => Number(y.kid === snapshot.signing.kid) - Number(x.kid === snapshot.signing.kid),
    );
  return { keys, algorithms: [...new Set(keys.map((key) => key.alg))] };
}

function retirementOf(record: SigningKeyRecord, retireAfterSeconds: number): number | null {
  if (record.status !== 'retiring' || record.retiringSince === null) return null;
  return record.retiringSince + retireAfterSeconds * 1000;
}
