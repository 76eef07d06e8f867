import type { Clock } from '../../clock.js';
import { failure, type Result, success } from '../../result.js';
import type { SigningKeyStatus } from '../ports/records.js';
import type { Store } from '../ports/store.js';
import { CLOCK_TOLERANCE_SECONDS, type TokenLifetimes } from '../tokens/token-types.js';
import { DEFAULT_REFRESH_INTERVAL_SECONDS } from './key-ring.js';
import type { KeyRingSettings } from './key-sources.js';
import { createSigningKey } from './signing-keys.js';

/** What the key commands need: the store, the clock and the configuration. */
export interface KeyCommandDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: KeyRingSettings;
}

/**
 * How long a key keeps verifying after it stopped signing: the longest token lifetime, plus
 * the interval in which other processes may still sign with it before they notice the
 * rotation, plus the clock tolerance verifiers allow. Only then is no token it signed alive.
 */
export function retirementDelaySeconds(lifetimes: TokenLifetimes): number {
  return (
    Math.max(lifetimes.accessTokenTtl, lifetimes.refreshTokenTtl) +
    DEFAULT_REFRESH_INTERVAL_SECONDS +
    CLOCK_TOLERANCE_SECONDS
  );
}

/** Why a key command could not run. */
export type KeyCommandFailure = 'KEYS_SUPPLIED';

export interface KeyRotation {
  readonly activated: { readonly kid: string; readonly alg: string };
  /** The previously active key, now retiring; it verifies until `retiresAt` (ms). */
  readonly demoted: { readonly kid: string; readonly retiresAt: number } | null;
  /** Retiring keys whose grace period was over, retired by this rotation. */
  readonly retired: readonly string[];
}

/**
 * Rotates the signing key, in one store transaction: a new key (of the configured algorithm)
 * becomes the only active key, the old active key becomes retiring, and retiring keys older
 * than {@link retirementDelaySeconds} are retired. Tokens the old key signed keep verifying,
 * and stay in the JWKS, until they have all expired.
 *
 * Fails with KEYS_SUPPLIED when the keys come from AUTH_SIGNING_KEYS(_FILE): those are rotated
 * by changing the supplied set, not the store.
 */
export async function rotateSigningKeys({
  store,
  clock,
  config,
}: KeyCommandDeps): Promise<Result<KeyRotation, KeyCommandFailure>> {
  if (config.signingKeys.supplied !== null) return failure('KEYS_SUPPLIED');
  const candidate = await createSigningKey(clock, config.signingKeys.algorithm);
  const now = clock.now();
  const delay = retirementDelaySeconds(config.lifetimes) * 1000;
  const outcome = await store.signingKeys.rotate(candidate, now, now - delay);
  return success({
    activated: { kid: outcome.activated.kid, alg: outcome.activated.alg },
    demoted: outcome.demoted === null ? null : { kid: outcome.demoted.kid, retiresAt: now + delay },
    retired: outcome.retired,
  });
}

/**
 * Retires the retiring keys whose grace period is over, without rotating. The running service
 * already stops trusting them at that moment; this records it in the store.
 */
export async function retireExpiredSigningKeys({
  store,
  clock,
  config,
}: KeyCommandDeps): Promise<string[]> {
  const now = clock.now();
  return store.signingKeys.retireExpired(
    now - retirementDelaySeconds(config.lifetimes) * 1000,
    now,
  );
}

/** One key as the key commands list it: metadata only, never key material. */
export interface SigningKeySummary {
  readonly kid: string;
  readonly alg: string;
  /** As the service treats the key now: a retiring key past its grace period counts as retired. */
  readonly status: SigningKeyStatus;
  readonly createdAt: number;
  readonly retiringSince: number | null;
  /** When a retiring key stops verifying; null otherwise. */
  readonly retiresAt: number | null;
  readonly retiredAt: number | null;
}

/** Every key in the store, newest first, with the state the service applies to it now. */
export async function listSigningKeys({
  store,
  clock,
  config,
}: KeyCommandDeps): Promise<SigningKeySummary[]> {
  const now = clock.now();
  const delay = retirementDelaySeconds(config.lifetimes) * 1000;
  const records = await store.signingKeys.list();
  return records.map((record) => {
    const retiresAt =
      record.status === 'retiring' && record.retiringSince !== null
        ? record.retiringSince + delay
        : null;
    const lapsed = retiresAt !== null && now >= retiresAt;
    return {
      kid: record.kid,
      alg: record.alg,
      status: lapsed ? 'retired' : record.status,
      createdAt: record.createdAt,
      retiringSince: record.retiringSince,
      retiresAt: lapsed ? null : retiresAt,
      retiredAt: lapsed ? retiresAt : record.retiredAt,
    };
  });
}
