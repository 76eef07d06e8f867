import { setTimeout as sleep } from 'node:timers/promises';
import type { CryptoKey } from 'jose';
import type { Clock } from '../../clock.js';
import type { SigningKeyRecord } from '../ports/records.js';
import type { KeySource } from './key-sources.js';
import {
  importKey,
  isSigningAlgorithm,
  type PublicJwk,
  type SigningAlgorithm,
  type SigningKey,
  toPublicJwk,
} from './signing-keys.js';

// How a running process learns about keys another process (the CLI, another instance) rotated:
// - periodically: a snapshot older than `refreshIntervalSeconds` is reloaded before use, so a
//   new active key starts signing here within that interval;
// - on an unknown `kid`: a token signed by a key newer than our snapshot triggers a reload.
//   Reloads for unknown kids start at most once per `unknownKidReloadIntervalMs`; a request
//   that arrives inside that window waits for the next reload instead of failing, so a genuine
//   new key is always found, and a flood of made-up kids costs one store read per window.

export const DEFAULT_REFRESH_INTERVAL_SECONDS = 60;
export const DEFAULT_UNKNOWN_KID_RELOAD_INTERVAL_MS = 1000;
/** How long a failed periodic reload waits before the next attempt. */
const RELOAD_RETRY_MS = 5000;

/** Our kids are RFC 7638 SHA-256 thumbprints: 43 base64url characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

export interface VerificationKey {
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
}

/** The public keys to publish, and the algorithms they use. */
export interface PublishedKeys {
  readonly keys: readonly PublicJwk[];
  readonly algorithms: readonly SigningAlgorithm[];
}

/** The keys this process signs and verifies with, kept in step with the key source. */
export interface KeyRing {
  /** The one key that signs now. */
  signingKey(): Promise<SigningKey>;
  /** The key for `kid` if it is active or retiring and not past its retirement, else undefined. */
  findVerificationKey(kid: string): Promise<VerificationKey | undefined>;
  /** What the JWKS publishes: active and retiring keys, public members only. */
  publishedKeys(): Promise<PublishedKeys>;
  /** Reloads from the source now. */
  refresh(): Promise<void>;
}

export interface KeyRingOptions {
  /**
   * How long after it stopped signing a retiring key still verifies: the longest token lifetime
   * plus margins (see `retirementDelaySeconds`). Keys the operator supplied never expire here.
   */
  readonly retireAfterSeconds: number;
  readonly refreshIntervalSeconds?: number;
  readonly unknownKidReloadIntervalMs?: number;
}

interface LoadedKey extends VerificationKey {
  readonly publicJwk: PublicJwk;
  /** Milliseconds; null for a key that is not retiring, or whose retirement is not timed. */
  readonly retiresAt: number | null;
}

interface Snapshot {
  readonly loadedAt: number;
  readonly signing: SigningKey;
  readonly keys: ReadonlyMap<string, LoadedKey>;
}

/** Loads the keys from `source` and returns a ring that follows later rotations. */
export async function loadKeyRing(
  source: KeySource,
  clock: Clock,
  options: KeyRingOptions,
): Promise<KeyRing> {
  const refreshMs = (options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS) * 1000;
  const unknownKidMs = options.unknownKidReloadIntervalMs ?? DEFAULT_UNKNOWN_KID_RELOAD_INTERVAL_MS;
  const imported = new Map<string, Promise<CryptoKey>>();

  let loads = 0;
  let appliedLoad = 0;
  let snapshot = await readSnapshot(++loads);
  appliedLoad = loads;
  let periodic: Promise<void> | null = null;
  let pendingForUnknownKid: Promise<void> | null = null;
  let lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  /** After a failed periodic reload, the next attempt waits until then (ms). */
  let retryReloadAt = 0;

  function importOnce(kid: string, jwk: Record<string, string>, alg: string): Promise<CryptoKey> {
    const key = `${kid}:${jwk.d === undefined ? 'public' : 'private'}`;
    let promise = imported.get(key);
    if (promise === undefined) {
      promise = importKey(jwk, alg);
      imported.set(key, promise);
    }
    return promise;
  }

  async function readSnapshot(load: number): Promise<Snapshot & { load: number }> {
    const loadedAt = clock.now();
    const records = await source.load();
    const active = records.find((record) => record.status === 'active');
    if (active === undefined || !isSigningAlgorithm(active.alg)) {
      throw new Error('The key source has no active signing key.');
    }
    const keys = new Map<string, LoadedKey>();
    for (const record of records) {
      if (!isSigningAlgorithm(record.alg)) continue; // never published, never trusted
      keys.set(record.kid, {
        alg: record.alg,
        key: await importOnce(record.kid, { ...record.publicJwk }, record.alg),
        publicJwk: toPublicJwk(record),
        retiresAt: retirementOf(record, options.retireAfterSeconds),
      });
    }
    const signing: SigningKey = {
      kid: active.kid,
      alg: active.alg,
      privateKey: await importOnce(active.kid, { ...active.privateJwk }, active.alg),
    };
    return { load, loadedAt, signing, keys };
  }

  /** Reads the source; a slower, older read never replaces a newer one. */
  async function reload(): Promise<void> {
    const next = await readSnapshot(++loads);
    if (next.load > appliedLoad) {
      appliedLoad = next.load;
      snapshot = next;
    }
  }

  /**
   * The snapshot, reloaded first when it is older than the refresh interval. A reload that fails
   * (the store is briefly unavailable) keeps the last good snapshot in service, so tokens keep
   * verifying and signing; the next attempt comes after {@link RELOAD_RETRY_MS}.
   */
  async function current(): Promise<Snapshot> {
    const now = clock.now();
    if (now - snapshot.loadedAt >= refreshMs && now >= retryReloadAt) {
      periodic ??= reload()
        .catch(() => {
          retryReloadAt = clock.now() + RELOAD_RETRY_MS;
        })
        .finally(() => {
          periodic = null;
        });
      await periodic;
    }
    return snapshot;
  }

  function reloadForUnknownKid(): Promise<void> {
    // Join a reload that has not started yet: it reads the source after this request arrived.
    if (pendingForUnknownKid !== null) return pendingForUnknownKid;
    const wait = Math.min(
      Math.max(lastUnknownKidReload + unknownKidMs - clock.now(), 0),
      unknownKidMs,
    );
    const pending = sleep(wait).then(() => {
      pendingForUnknownKid = null;
      lastUnknownKidReload = clock.now();
      return reload();
    });
    pendingForUnknownKid = pending;
    return pending;
  }

  function usable(entry: LoadedKey | undefined): VerificationKey | undefined {
    if (entry === undefined) return undefined;
    if (entry.retiresAt !== null && clock.now() >= entry.retiresAt) return undefined;
    return { alg: entry.alg, key: entry.key };
  }

  return {
    async signingKey() {
      return (await current()).signing;
    },
    async findVerificationKey(kid) {
      const entry = (await current()).keys.get(kid);
      if (entry !== undefined || !THUMBPRINT.test(kid)) return usable(entry);
      // A failed reload leaves the kid unknown: the token is refused, not answered with a 500.
      await reloadForUnknownKid().catch(() => undefined);
      return usable(snapshot.keys.get(kid));
    },
    async publishedKeys() {
      const { keys: loaded, signing } = await current();
      // The signing key first, then the retiring ones.
      const keys = [...loaded.values()]
        .filter((entry) => usable(entry) !== undefined)
        .map((entry) => entry.publicJwk)
        .sort((x, y) => Number(y.kid === signing.kid) - Number(x.kid === signing.kid));
      return { keys, algorithms: [...new Set(keys.map((key) => key.alg))] };
    },
    refresh: reload,
  };
}

function retirementOf(record: SigningKeyRecord, retireAfterSeconds: number): number | null {
  if (record.status !== 'retiring' || record.retiringSince === null) return null;
  return record.retiringSince + retireAfterSeconds * 1000;
}
