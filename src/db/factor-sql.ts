import { type AnyColumn, and, eq, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { RecoveryCodeUse, TotpFailure } from '../auth/ports/factor-store.js';
import type { NewOutboxMail } from '../auth/ports/link-records.js';
import type { WriteEvents } from '../auth/ports/write-event.js';

// The conditions and values of the factor statements, the same SQL in either dialect. Each
// write of both stores takes the same steps in the same order, in one transaction:
//  1. lock the user row (PostgreSQL: FOR NO KEY UPDATE, which waits for a session start's
//     FOR SHARE and makes it wait: a session either sees the factor confirmed, or is among the
//     "other sessions" the confirmation restricts; SQLite: the IMMEDIATE write lock);
//  2. lock the session to upgrade while it is live (none: write nothing, `session_gone`);
//     a confirmation first checks its pending factor (`not_found`, `expired`);
//  3. the one statement that decides the proof (the TOTP step's compare and set, the recovery
//     code's DELETE … RETURNING): of concurrent proofs of one code, exactly one matches;
//  4. the writes that follow from it (the session's upgrade, notices).
// Every check comes before the first write, so "nothing written" needs no rollback.

/** The mfa_factors columns these statements read, in either dialect. */
export interface FactorColumns {
  readonly id: AnyColumn;
  readonly userId: AnyColumn;
  readonly type: AnyColumn;
  readonly confirmedAt: AnyColumn;
  readonly expiresAt: AnyColumn;
  readonly lastStep: AnyColumn;
}

/** The users columns the TOTP failure count lives in. */
export interface FailureColumns {
  readonly mfaTotpFailures: AnyColumn;
  readonly mfaTotpLockedAt: AnyColumn;
}

export function confirmedFactorsOf(columns: FactorColumns, userId: string): SQL | undefined {
  return and(eq(columns.userId, userId), isNotNull(columns.confirmedAt));
}

export function pendingFactorsOf(columns: FactorColumns, userId: string): SQL | undefined {
  return and(eq(columns.userId, userId), isNull(columns.confirmedAt));
}

/** The user's factor `id` while it is pending (confirmed already: no longer confirmable). */
export function pendingFactor(columns: FactorColumns, id: string, userId: string): SQL | undefined {
  return and(eq(columns.id, id), pendingFactorsOf(columns, userId));
}

/** A pending factor that `confirm` at `now` refuses: its expiry has come. */
export function hasExpired(factor: { readonly expiresAt: number | null }, now: number): boolean {
  return factor.expiresAt !== null && factor.expiresAt <= now;
}

/** Pending factors that expired before `expiredBefore`: what retention deletes. */
export function expiredPendingFactors(columns: FactorColumns, expiredBefore: number) {
  return and(isNull(columns.confirmedAt), lt(columns.expiresAt, expiredBefore));
}

/**
 * The compare and set of a TOTP step: the user's confirmed TOTP factor, only while its last
 * accepted step is below `step`. Two instances accepting the same code both run this UPDATE;
 * the second re-reads the row the first wrote and no longer matches, so a code is accepted once.
 */
export function totpStepBelow(
  columns: FactorColumns,
  id: string,
  userId: string,
  step: number,
): SQL | undefined {
  return and(
    eq(columns.id, id),
    eq(columns.userId, userId),
    isNotNull(columns.confirmedAt),
    eq(columns.type, 'TOTP'),
    or(isNull(columns.lastStep), lt(columns.lastStep, step)),
  );
}

/**
 * One more TOTP failure, in one UPDATE: the count goes up, and the lock is stamped when the
 * count reaches the cap (and only if it is not locked already, so the first lock time stays).
 */
export function failureValues(
  columns: FailureColumns,
  failure: TotpFailure,
): { mfaTotpFailures: SQL; mfaTotpLockedAt: SQL } {
  const { mfaTotpFailures: failures, mfaTotpLockedAt: lockedAt } = columns;
  return {
    mfaTotpFailures: sql`${failures} + 1`,
    mfaTotpLockedAt: sql`case when ${failures} + 1 >= ${failure.lockAfter} and ${lockedAt} is null then ${failure.now} else ${lockedAt} end`,
  };
}

/**
 * Whether the failure statement that returned `row` set the lock. RETURNING shows only the new
 * row: the lock is this statement's when it is stamped with this failure's time and the count
 * before it was below the cap (a lock set by an earlier failure of the same millisecond would
 * have needed that count to reach the cap already).
 */
export function lockedByThisFailure(
  row: { readonly mfaTotpFailures: number; readonly mfaTotpLockedAt: number | null },
  failure: TotpFailure,
): boolean {
  return row.mfaTotpLockedAt === failure.now && row.mfaTotpFailures - 1 < failure.lockAfter;
}

/** A cleared count: after a success (`lock` kept) or a recovery code and removal (`lock` too). */
export function clearedFailures(): { mfaTotpFailures: 0 } {
  return { mfaTotpFailures: 0 };
}

export function clearedFailuresAndLock(): { mfaTotpFailures: 0; mfaTotpLockedAt: null } {
  return { mfaTotpFailures: 0, mfaTotpLockedAt: null };
}

/** The rows of fresh recovery codes. */
export function recoveryCodeRows(
  userId: string,
  codeHashes: readonly string[],
  now: number,
): { userId: string; codeHash: string; createdAt: number }[] {
  return codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now }));
}

/** What confirming a factor writes on it. */
export function confirmedValues(
  step: number | null,
  now: number,
): { confirmedAt: number; expiresAt: null; lastStep: number | null; lastUsedAt: number } {
  return { confirmedAt: now, expiresAt: null, lastStep: step, lastUsedAt: now };
}

/** The "a recovery code was used" notice, saying how many codes are left. */
export function withRemaining(use: RecoveryCodeUse, remaining: number): NewOutboxMail {
  const { notice } = use;
  return { ...notice, payload: { ...notice.payload, remaining: String(remaining) } };
}

/**
 * When a write without a `now` of its own happened, for the rows it stamps: its event's time,
 * or the host's clock when it has none (replaceRecoveryCodes takes no `now`).
 */
export function timeOfWrite(event: WriteEvents): number {
  if (event === undefined) return Date.now();
  if ('type' in event) return event.at;
  return event[0]?.at ?? Date.now();
}

/**
 * How many sessions a proof's result revoked (none) when it wrote, that is when its outcome is
 * `outcome`; null (no event appended) for every other outcome, which wrote nothing.
 */
export function wroteWhen(
  outcome: string,
): (result: { readonly outcome: string }) => number | null {
  return (result) => (result.outcome === outcome ? 0 : null);
}
