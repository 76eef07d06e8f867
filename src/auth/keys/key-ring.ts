import type { Clock } from '../../clock.js';
import { createPeriodicReload, createUnknownKidReload, openSnapshotSlot } from './key-reloads.js';
import {
  createKeyImporter,
  type PublishedKeys,
  publishedKeysOf,
  readKeySnapshot,
  usableKey,
  type VerificationKey,
} from './key-snapshot.js';
import type { KeySource } from './key-sources.js';
import type { SigningKey } from './signing-keys.js';

export type { PublishedKeys, VerificationKey } from './key-snapshot.js';

// How a running process learns about keys another process (the CLI, another instance) rotated:
// - periodically: a snapshot older than `refreshIntervalSeconds` is reloaded before use, so a
//   new active key starts signing here within that interval;
// - on an unknown `kid`: a token signed by a key newer than our snapshot triggers a reload.
//   Reloads for unknown kids start at most once per `unknownKidReloadIntervalMs`; a request
//   that arrives inside that window waits for the next reload instead of failing, so a genuine
//   new key is always found, and a flood of made-up kids costs one store read per window.
// Each of these is a small state machine in key-reloads.ts; a snapshot is one read of the source
// (key-snapshot.ts).

export const DEFAULT_REFRESH_INTERVAL_SECONDS = 60;
export const DEFAULT_UNKNOWN_KID_RELOAD_INTERVAL_MS = 1000;

/** Our kids are RFC 7638 SHA-256 thumbprints: 43 base64url characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

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
  /** Key halves (public and private) this ring has imported since it opened (for `/metrics`). */
  readonly size: number;
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

/**
 * Loads the keys from `source` and returns a ring that follows later rotations. A retiring key
 * verifies, and is published, only until `retireAfterSeconds` after it stopped signing, by
 * `clock`. A failed reload never takes keys away: the last good snapshot stays in service, and
 * an unknown kid that could not be looked up is refused (undefined), not thrown.
 *
 * @throws when the first read of the source fails or finds no active key.
 */
export async function loadKeyRing(
  source: KeySource,
  clock: Clock,
  options: KeyRingOptions,
): Promise<KeyRing> {
  const refreshMs = (options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS) * 1000;
  const unknownKidMs = options.unknownKidReloadIntervalMs ?? DEFAULT_UNKNOWN_KID_RELOAD_INTERVAL_MS;
  const importer = createKeyImporter();
  const reader = {
    source,
    clock,
    importKeyOnce: importer.importKeyOnce,
    retireAfterSeconds: options.retireAfterSeconds,
  };
  const slot = await openSnapshotSlot(() => readKeySnapshot(reader));
  const currentSnapshot = createPeriodicReload(slot, clock, refreshMs);
  const reloadForUnknownKid = createUnknownKidReload(slot, clock, unknownKidMs);

  return {
    async signingKey() {
      return (await currentSnapshot()).signing;
    },
    async findVerificationKey(kid) {
      const entry = (await currentSnapshot()).keys.get(kid);
      if (entry !== undefined || !THUMBPRINT.test(kid)) return usableKey(entry, clock.now());
      // A failed reload leaves the kid unknown: the token is refused, not answered with a 500.
      await reloadForUnknownKid().catch(() => undefined);
      return usableKey(slot.current().keys.get(kid), clock.now());
    },
    async publishedKeys() {
      return publishedKeysOf(await currentSnapshot(), clock.now());
    },
    refresh: slot.reload,
    get size() {
      return importer.size;
    },
  };
}
