import { asc, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { PasskeyRegistrationResult, PasskeyStore } from '../../auth/ports/passkey-store.js';
import type { StepUpResult } from '../../auth/ports/step-up.js';
import { wroteWhen } from '../factor-sql.js';
import {
  counterStill,
  expiredChallenges,
  passkeyRow,
  passkeysOf,
  passkeyWithCredentialId,
  takableChallenge,
  usedValues,
} from '../passkey-sql.js';
import { writeWithEvent } from './audited-write.js';
import { countConfirmedFactors } from './factor-counts.js';
import { activateFactor, liveSessionToStepUp, stepUpSession } from './factor-writes.js';
import type { Tx } from './link-writes.js';
import { mfaFactors, webauthnChallenges } from './schema.js';

// Passkeys on SQLite: each write one IMMEDIATE transaction, so a check and the write that
// relies on it see the same rows.

const immediate = { immediate: true } as const;

function countPasskeys(tx: Tx, userId: string): number {
  return tx
    .select({ id: mfaFactors.id })
    .from(mfaFactors)
    .where(passkeysOf(mfaFactors, userId))
    .all().length;
}

export function createSqlitePasskeyStore(db: BetterSQLite3Database): PasskeyStore {
  return {
    async insertChallenge(challenge) {
      db.insert(webauthnChallenges).values(challenge).run();
    },
    async takeChallenge(id, purpose, now) {
      const taken = db
        .delete(webauthnChallenges)
        .where(takableChallenge(webauthnChallenges, id, purpose, now))
        .returning()
        .get();
      return taken ?? null;
    },
    async purgeExpiredChallenges(expiredBefore) {
      return db
        .delete(webauthnChallenges)
        .where(expiredChallenges(webauthnChallenges, expiredBefore))
        .run().changes;
    },
    async findByCredentialId(credentialId) {
      return (
        db
          .select()
          .from(mfaFactors)
          .where(passkeyWithCredentialId(mfaFactors, credentialId))
          .get() ?? null
      );
    },
    async listByUser(userId) {
      return db
        .select()
        .from(mfaFactors)
        .where(passkeysOf(mfaFactors, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id))
        .all();
    },
    register(userId, registration, event) {
      const write = (tx: Tx): PasskeyRegistrationResult => {
        const { stepUp } = registration;
        if (stepUp.userId !== userId) return { outcome: 'session_gone' };
        const session = liveSessionToStepUp(tx, stepUp);
        if (session === undefined) return { outcome: 'session_gone' };
        if (countPasskeys(tx, userId) >= registration.maxPasskeys) return { outcome: 'too_many' };
        const taken = tx
          .select({ id: mfaFactors.id })
          .from(mfaFactors)
          .where(eq(mfaFactors.credentialId, registration.credential.credentialId))
          .get();
        if (taken !== undefined) return { outcome: 'duplicate' };
        const first = countConfirmedFactors(tx, userId) === 0;
        const row = passkeyRow(registration.factor, registration.credential, stepUp.now);
        const factor = tx.insert(mfaFactors).values(row).returning().get();
        return activateFactor(tx, userId, session, factor, first, registration);
      };
      return writeWithEvent(db, event, write, wroteWhen('confirmed'), immediate);
    },
    async recordUse(use) {
      // One statement: the counter's compare and set.
      return (
        db.update(mfaFactors).set(usedValues(use)).where(counterStill(mfaFactors, use)).run()
          .changes === 1
      );
    },
    acceptStepUp(userId, use, stepUp, event) {
      const write = (tx: Tx): StepUpResult => {
        if (stepUp.userId !== userId) return { outcome: 'session_gone' };
        const session = liveSessionToStepUp(tx, stepUp);
        if (session === undefined) return { outcome: 'session_gone' };
        const used = tx
          .update(mfaFactors)
          .set(usedValues(use))
          .where(counterStill(mfaFactors, use, userId))
          .run().changes;
        if (used === 0) return { outcome: 'rejected' };
        return {
          outcome: 'accepted',
          session: stepUpSession(tx, session, stepUp),
          recoveryCodesRemaining: 0,
        };
      };
      return writeWithEvent(db, event, write, wroteWhen('accepted'), immediate);
    },
  };
}
