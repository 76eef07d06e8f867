import { asc, eq } from 'drizzle-orm';
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
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction as Tx,
} from './audited-write.js';
import { retryOnTransientConflict } from './conflicts.js';
import { countConfirmedFactors } from './factor-counts.js';
import { activateFactor, lockSessionToStepUp, lockUser, stepUpSession } from './factor-writes.js';
import { mfaFactors, webauthnChallenges } from './schema.js';

// The PostgreSQL twin of ../sqlite/passkeys.ts. A registration locks the user row first, as a
// TOTP confirmation does (../factor-sql.ts): a session starting meanwhile either sees the new
// factor or is among the sessions the registration restricts, and two registrations of one
// user queue, so the passkey limit holds.

export function createPostgresPasskeyStore(db: PostgresDatabase): PasskeyStore {
  const { writeWithEvent } = createPostgresWriter(db);
  return {
    async insertChallenge(challenge) {
      await db.insert(webauthnChallenges).values(challenge);
    },
    async takeChallenge(id, purpose, now) {
      const [taken] = await db
        .delete(webauthnChallenges)
        .where(takableChallenge(webauthnChallenges, id, purpose, now))
        .returning();
      return taken ?? null;
    },
    async purgeExpiredChallenges(expiredBefore) {
      const deleted = await db
        .delete(webauthnChallenges)
        .where(expiredChallenges(webauthnChallenges, expiredBefore))
        .returning({ id: webauthnChallenges.id });
      return deleted.length;
    },
    async findByCredentialId(credentialId) {
      const [factor] = await db
        .select()
        .from(mfaFactors)
        .where(passkeyWithCredentialId(mfaFactors, credentialId));
      return factor ?? null;
    },
    async listByUser(userId) {
      return db
        .select()
        .from(mfaFactors)
        .where(passkeysOf(mfaFactors, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id));
    },
    register(userId, registration, event) {
      const write = async (tx: Tx): Promise<PasskeyRegistrationResult> => {
        const { stepUp } = registration;
        if (stepUp.userId !== userId || !(await lockUser(tx, userId))) {
          return { outcome: 'session_gone' };
        }
        const session = await lockSessionToStepUp(tx, stepUp);
        if (session === undefined) return { outcome: 'session_gone' };
        const passkeys = await tx
          .select({ id: mfaFactors.id })
          .from(mfaFactors)
          .where(passkeysOf(mfaFactors, userId));
        if (passkeys.length >= registration.maxPasskeys) return { outcome: 'too_many' };
        const { credentialId } = registration.credential;
        const [taken] = await tx
          .select({ id: mfaFactors.id })
          .from(mfaFactors)
          .where(eq(mfaFactors.credentialId, credentialId));
        if (taken !== undefined) return { outcome: 'duplicate' };
        const first = (await countConfirmedFactors(tx, userId)) === 0;
        const row = passkeyRow(registration.factor, registration.credential, stepUp.now);
        const [factor] = await tx.insert(mfaFactors).values(row).returning();
        if (factor === undefined) throw new Error('INSERT … RETURNING returned no passkey.');
        return activateFactor(tx, userId, session, factor, first, registration);
      };
      return retryOnTransientConflict(() => writeWithEvent(event, write, wroteWhen('confirmed')));
    },
    async recordUse(use) {
      // One statement: the counter's compare and set.
      const used = await db
        .update(mfaFactors)
        .set(usedValues(use))
        .where(counterStill(mfaFactors, use))
        .returning({ id: mfaFactors.id });
      return used.length === 1;
    },
    acceptStepUp(userId, use, stepUp, event) {
      const write = async (tx: Tx): Promise<StepUpResult> => {
        if (stepUp.userId !== userId || !(await lockUser(tx, userId))) {
          return { outcome: 'session_gone' };
        }
        const session = await lockSessionToStepUp(tx, stepUp);
        if (session === undefined) return { outcome: 'session_gone' };
        const used = await tx
          .update(mfaFactors)
          .set(usedValues(use))
          .where(counterStill(mfaFactors, use, userId))
          .returning({ id: mfaFactors.id });
        if (used.length === 0) return { outcome: 'rejected' };
        return {
          outcome: 'accepted',
          session: await stepUpSession(tx, session, stepUp),
          recoveryCodesRemaining: 0,
        };
      };
      return retryOnTransientConflict(() => writeWithEvent(event, write, wroteWhen('accepted')));
    },
  };
}
