import { and, eq } from 'drizzle-orm';
import type {
  FactorActivation,
  FactorConfirmation,
  FactorConfirmationResult,
  MfaFactorRecord,
  RecoveryCodeUse,
  TotpAcceptance,
} from '../../auth/ports/factor-store.js';
import type { SessionRecord } from '../../auth/ports/records.js';
import type { SessionStepUp, StepUpResult } from '../../auth/ports/step-up.js';
import {
  clearedFailures,
  clearedFailuresAndLock,
  confirmedValues,
  hasExpired,
  pendingFactor,
  recoveryCodeRows,
  totpStepBelow,
  withRemaining,
} from '../factor-sql.js';
import {
  needsRestricting,
  otherLowAssuranceSessions,
  restrictedSessionValues,
  steppingUpSession,
  stepUpValues,
} from '../step-up-sql.js';
import type { PostgresTransaction as Tx } from './audited-write.js';
import { countConfirmedFactors, countRecoveryCodes } from './factor-counts.js';
import { queue } from './link-writes.js';
import { mfaFactors, recoveryCodes, sessions, users } from './schema.js';

// The PostgreSQL twin of ../sqlite/factor-writes.ts, each inside its caller's transaction; the
// steps and their order: ../factor-sql.ts. The user row is locked first (FOR NO KEY UPDATE, the
// lock its UPDATE takes anyway), then the session, as a password change does, so these writes
// queue behind each other rather than deadlock.

/** Locks the user row; false when there is no such user. */
export async function lockUser(tx: Tx, userId: string): Promise<boolean> {
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(eq(users.id, userId))
    .for('no key update');
  return user !== undefined;
}

/** Locks the session to upgrade while it is live; undefined when it is gone. */
export async function lockSessionToStepUp(
  tx: Tx,
  stepUp: SessionStepUp,
): Promise<SessionRecord | undefined> {
  const [session] = await tx
    .select()
    .from(sessions)
    .where(steppingUpSession(sessions, stepUp))
    .for('no key update');
  return session;
}

export async function stepUpSession(
  tx: Tx,
  session: SessionRecord,
  stepUp: SessionStepUp,
): Promise<SessionRecord> {
  const [upgraded] = await tx
    .update(sessions)
    .set(stepUpValues(sessions, session, stepUp))
    .where(steppingUpSession(sessions, stepUp))
    .returning();
  if (upgraded === undefined) throw new Error('The locked session to step up was not updated.');
  return upgraded;
}

export async function storeRecoveryCodes(
  tx: Tx,
  userId: string,
  codeHashes: readonly string[],
  now: number,
): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (codeHashes.length > 0)
    await tx.insert(recoveryCodes).values(recoveryCodeRows(userId, codeHashes, now));
}

export async function acceptTotp(
  tx: Tx,
  userId: string,
  acceptance: TotpAcceptance,
): Promise<StepUpResult> {
  const { stepUp } = acceptance;
  if (stepUp.userId !== userId || !(await lockUser(tx, userId))) return { outcome: 'session_gone' };
  const session = await lockSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  // The compare and set: a concurrent acceptance of the same step waits for this row, then
  // re-checks the condition against what this one committed, and matches nothing.
  const stepped = await tx
    .update(mfaFactors)
    .set({ lastStep: acceptance.step, lastUsedAt: stepUp.now })
    .where(totpStepBelow(mfaFactors, acceptance.factorId, userId, acceptance.step))
    .returning({ id: mfaFactors.id });
  if (stepped.length === 0) return { outcome: 'rejected' };
  await tx.update(users).set(clearedFailures()).where(eq(users.id, userId));
  return {
    outcome: 'accepted',
    session: await stepUpSession(tx, session, stepUp),
    recoveryCodesRemaining: 0,
  };
}

export async function useRecoveryCode(tx: Tx, use: RecoveryCodeUse): Promise<StepUpResult> {
  const { stepUp, userId } = use;
  if (stepUp.userId !== userId || !(await lockUser(tx, userId))) return { outcome: 'session_gone' };
  const session = await lockSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  // The one statement that decides which of concurrent uses of a code gets it.
  const used = await tx
    .delete(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, use.codeHash)))
    .returning({ codeHash: recoveryCodes.codeHash });
  if (used.length === 0) return { outcome: 'rejected' };
  await tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId));
  const upgraded = await stepUpSession(tx, session, stepUp);
  const remaining = await countRecoveryCodes(tx, userId);
  await queue(tx, [withRemaining(use, remaining)]);
  return { outcome: 'accepted', session: upgraded, recoveryCodesRemaining: remaining };
}

export async function confirmFactor(
  tx: Tx,
  userId: string,
  confirmation: FactorConfirmation,
): Promise<FactorConfirmationResult> {
  const { stepUp } = confirmation;
  const { now } = stepUp;
  // First: a session start of this user holds FOR SHARE until its session is in (see
  // sessions.start), so that session is among the ones restricted below, or sees this factor.
  if (!(await lockUser(tx, userId))) return { outcome: 'not_found' };
  const [pending] = await tx
    .select()
    .from(mfaFactors)
    .where(pendingFactor(mfaFactors, confirmation.factorId, userId));
  if (pending === undefined) return { outcome: 'not_found' };
  if (hasExpired(pending, now)) return { outcome: 'expired' };
  if (stepUp.userId !== userId) return { outcome: 'session_gone' };
  const session = await lockSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  const first = (await countConfirmedFactors(tx, userId)) === 0;
  const [factor] = await tx
    .update(mfaFactors)
    .set(confirmedValues(confirmation.step, now))
    .where(eq(mfaFactors.id, pending.id))
    .returning();
  if (factor === undefined) throw new Error('The pending factor was not updated.');
  return activateFactor(tx, userId, session, factor, first, confirmation);
}

/**
 * What follows a proven new factor, in its transaction (`first`: the account had no confirmed
 * factor before it): the recovery codes when first, the session's step-up, the other sessions
 * at assurance 1 restricted, the notice.
 */
export async function activateFactor(
  tx: Tx,
  userId: string,
  session: SessionRecord,
  factor: MfaFactorRecord,
  first: boolean,
  activation: FactorActivation,
): Promise<FactorConfirmationResult> {
  const { stepUp } = activation;
  const { now } = stepUp;
  // Codes left from an earlier factor (removed since) are not the ones shown now.
  if (first) await storeRecoveryCodes(tx, userId, activation.recoveryCodeHashes, now);
  const upgraded = await stepUpSession(tx, session, stepUp);
  const others = await tx
    .select({ id: sessions.id, restrictions: sessions.restrictions, idle: sessions.idleExpiresAt })
    .from(sessions)
    .where(otherLowAssuranceSessions(sessions, userId, upgraded.id, now))
    .for('no key update');
  const restricted = others.filter(needsRestricting);
  for (const other of restricted) {
    const values = restrictedSessionValues(
      { restrictions: other.restrictions, idleExpiresAt: other.idle },
      activation.otherSessionsDeadline,
    );
    await tx.update(sessions).set(values).where(eq(sessions.id, other.id));
  }
  await queue(tx, [activation.notice]);
  return {
    outcome: 'confirmed',
    factor,
    session: upgraded,
    recoveryCodesStored: first,
    restrictedSessions: restricted.length,
  };
}
