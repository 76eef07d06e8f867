import { type AnyColumn, and, eq, gt, isNotNull, lt, type SQL } from 'drizzle-orm';
import type { PasskeyCredential } from '../auth/ports/factor-store.js';
import type { PasskeyPurpose, PasskeyUse } from '../auth/ports/passkey-store.js';

// The passkey statements' conditions and values, the same SQL in either dialect. A passkey is
// an mfa_factors row of type PASSKEY, stored confirmed (its registration is its proof); its
// challenges live in webauthn_challenges, each taken by one DELETE … RETURNING.

export interface PasskeyColumns {
  readonly id: AnyColumn;
  readonly userId: AnyColumn;
  readonly type: AnyColumn;
  readonly confirmedAt: AnyColumn;
  readonly credentialId: AnyColumn;
  readonly signCount: AnyColumn;
}

export interface ChallengeColumns {
  readonly id: AnyColumn;
  readonly purpose: AnyColumn;
  readonly expiresAt: AnyColumn;
}

export function passkeysOf(columns: PasskeyColumns, userId: string): SQL | undefined {
  return and(
    eq(columns.userId, userId),
    eq(columns.type, 'PASSKEY'),
    isNotNull(columns.confirmedAt),
  );
}

export function passkeyWithCredentialId(
  columns: PasskeyColumns,
  credentialId: string,
): SQL | undefined {
  return and(
    eq(columns.credentialId, credentialId),
    eq(columns.type, 'PASSKEY'),
    isNotNull(columns.confirmedAt),
  );
}

/**
 * The compare and set of a signature counter: the passkey, only while its counter is the one
 * the verification read. Of two assertions racing from one value, the second no longer matches.
 */
export function counterStill(
  columns: PasskeyColumns,
  use: PasskeyUse,
  userId?: string,
): SQL | undefined {
  return and(
    eq(columns.id, use.factorId),
    userId === undefined ? undefined : eq(columns.userId, userId),
    eq(columns.type, 'PASSKEY'),
    isNotNull(columns.confirmedAt),
    eq(columns.signCount, use.expectedSignCount),
  );
}

export function usedValues(use: PasskeyUse): {
  signCount: number;
  backedUp: boolean;
  lastUsedAt: number;
} {
  return { signCount: use.signCount, backedUp: use.backedUp, lastUsedAt: use.now };
}

/** The new passkey's row: confirmed at once, no TOTP step, no expiry. */
export function passkeyRow<T extends object>(
  factor: T,
  credential: PasskeyCredential,
  now: number,
) {
  return {
    ...factor,
    ...credential,
    transports: [...credential.transports],
    sealedSecret: null,
    confirmedAt: now,
    expiresAt: null,
    lastUsedAt: now,
    lastStep: null,
  };
}

export function takableChallenge(
  columns: ChallengeColumns,
  id: string,
  purpose: PasskeyPurpose,
  now: number,
): SQL | undefined {
  return and(eq(columns.id, id), eq(columns.purpose, purpose), gt(columns.expiresAt, now));
}

export function expiredChallenges(
  columns: ChallengeColumns,
  expiredBefore: number,
): SQL | undefined {
  return lt(columns.expiresAt, expiredBefore);
}
