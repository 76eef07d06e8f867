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
import { countConfirmedFactors, countRecoveryCodes } from './factor-counts.js';
import { queue, type Tx } from './link-writes.js';
import { mfaFactors, recoveryCodes, sessions, users } from './schema.js';

// The proofs of a second factor, each inside its caller's IMMEDIATE transaction: the steps and
// their order are ../factor-sql.ts's. The write lock is held from the first read, so nothing
// another connection commits comes between a check and the write that relies on it.

/** The session to upgrade, while live; undefined when it is gone. */
export function liveSessionToStepUp(tx: Tx, stepUp: SessionStepUp): SessionRecord | undefined {
  return tx.select().from(sessions).where(steppingUpSession(sessions, stepUp)).get();
}

export function stepUpSession(
  tx: Tx,
  session: SessionRecord,
  stepUp: SessionStepUp,
): SessionRecord {
  const upgraded = tx
    .update(sessions)
    .set(stepUpValues(sessions, session, stepUp))
    .where(steppingUpSession(sessions, stepUp))
    .returning()
    .get();
  if (upgraded === undefined) throw new Error('The session to step up went away mid-transaction.');
  return upgraded;
}

export function storeRecoveryCodes(
  tx: Tx,
  userId: string,
  codeHashes: readonly string[],
  now: number,
): void {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  if (codeHashes.length > 0)
    tx.insert(recoveryCodes)
      .values(recoveryCodeRows(userId, codeHashes, now))
      .run();
}

export function acceptTotp(tx: Tx, userId: string, acceptance: TotpAcceptance): StepUpResult {
  const { stepUp } = acceptance;
  if (stepUp.userId !== userId) return { outcome: 'session_gone' };
  const session = liveSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  const stepped = tx
    .update(mfaFactors)
    .set({ lastStep: acceptance.step, lastUsedAt: stepUp.now })
    .where(totpStepBelow(mfaFactors, acceptance.factorId, userId, acceptance.step))
    .returning({ id: mfaFactors.id })
    .all();
  if (stepped.length === 0) return { outcome: 'rejected' };
  tx.update(users).set(clearedFailures()).where(eq(users.id, userId)).run();
  return {
    outcome: 'accepted',
    session: stepUpSession(tx, session, stepUp),
    recoveryCodesRemaining: 0,
  };
}

export function useRecoveryCode(tx: Tx, use: RecoveryCodeUse): StepUpResult {
  const { stepUp, userId } = use;
  if (stepUp.userId !== userId) return { outcome: 'session_gone' };
  const session = liveSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  // The one statement that decides which of concurrent uses of a code gets it.
  const used = tx
    .delete(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, use.codeHash)))
    .returning({ codeHash: recoveryCodes.codeHash })
    .all();
  if (used.length === 0) return { outcome: 'rejected' };
  tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId)).run();
  const upgraded = stepUpSession(tx, session, stepUp);
  const remaining = countRecoveryCodes(tx, userId);
  queue(tx, [withRemaining(use, remaining)]);
  return { outcome: 'accepted', session: upgraded, recoveryCodesRemaining: remaining };
}

export function confirmFactor(
  tx: Tx,
  userId: string,
  confirmation: FactorConfirmation,
): FactorConfirmationResult {
  const { stepUp } = confirmation;
  const { now } = stepUp;
  const pending = tx
    .select()
    .from(mfaFactors)
    .where(pendingFactor(mfaFactors, confirmation.factorId, userId))
    .get();
  if (pending === undefined) return { outcome: 'not_found' };
  if (hasExpired(pending, now)) return { outcome: 'expired' };
  if (stepUp.userId !== userId) return { outcome: 'session_gone' };
  const session = liveSessionToStepUp(tx, stepUp);
  if (session === undefined) return { outcome: 'session_gone' };
  const first = countConfirmedFactors(tx, userId) === 0;
  const factor = tx
    .update(mfaFactors)
    .set(confirmedValues(confirmation.step, now))
    .where(eq(mfaFactors.id, pending.id))
    .returning()
    .get();
  if (factor === undefined) throw new Error('The pending factor went away mid-transaction.');
  return activateFactor(tx, userId, session, factor, first, confirmation);
}

/**
 * What follows a proven new factor, in its transaction (`first`: the account had no confirmed
 * factor before it): the recovery codes when first, the session's step-up, the other sessions
 * at assurance 1 restricted, the notice.
 */
export function activateFactor(
  tx: Tx,
  userId: string,
  session: SessionRecord,
  factor: MfaFactorRecord,
  first: boolean,
  activation: FactorActivation,
): FactorConfirmationResult {
  const { stepUp } = activation;
  const { now } = stepUp;
  // Codes left from an earlier factor (removed since) are not the ones shown now.
  if (first) storeRecoveryCodes(tx, userId, activation.recoveryCodeHashes, now);
  const upgraded = stepUpSession(tx, session, stepUp);
  const others = tx
    .select({ id: sessions.id, restrictions: sessions.restrictions, idle: sessions.idleExpiresAt })
    .from(sessions)
    .where(otherLowAssuranceSessions(sessions, userId, upgraded.id, now))
    .all();
  const restricted = others.filter(needsRestricting);
  for (const other of restricted) {
    const values = restrictedSessionValues(
      { restrictions: other.restrictions, idleExpiresAt: other.idle },
      activation.otherSessionsDeadline,
    );
    tx.update(sessions).set(values).where(eq(sessions.id, other.id)).run();
  }
  queue(tx, [activation.notice]);
  return {
    outcome: 'confirmed',
    factor,
    session: upgraded,
    recoveryCodesStored: first,
    restrictedSessions: restricted.length,
  };
}
