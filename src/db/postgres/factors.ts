import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { FactorStore, TotpFailureResult } from '../../auth/ports/factor-store.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import {
  clearedFailuresAndLock,
  confirmedFactorsOf,
  expiredPendingFactors,
  failureValues,
  lockedByThisFailure,
  pendingFactorsOf,
  timeOfWrite,
  wroteWhen,
} from '../factor-sql.js';
import { liveSessionsOfUser } from '../session-sql.js';
import { liftedSessionValues } from '../step-up-sql.js';
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction as Tx,
} from './audited-write.js';
import { retryOnTransientConflict } from './conflicts.js';
import { countConfirmedFactors, countRecoveryCodes } from './factor-counts.js';
import {
  acceptTotp,
  confirmFactor,
  lockUser,
  storeRecoveryCodes,
  useRecoveryCode,
} from './factor-writes.js';
import { queue } from './link-writes.js';
import { mfaFactors, recoveryCodes, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// The PostgreSQL twin of ../sqlite/factors.ts: each write one transaction, made of
// ./factor-writes.ts, run again should PostgreSQL abort it for a deadlock.

export function createPostgresFactorStore(db: PostgresDatabase): FactorStore {
  const { writeWithEvent } = createPostgresWriter(db);
  return {
    insertPending(factor, event) {
      const write = async (tx: Tx) => {
        await tx.delete(mfaFactors).where(pendingFactorsOf(mfaFactors, factor.userId));
        const [inserted] = await tx.insert(mfaFactors).values(factor).returning();
        if (inserted === undefined) throw new Error('INSERT … RETURNING returned no factor.');
        return inserted;
      };
      return writeWithEvent(event, write, wroteWithoutRevoking);
    },
    async findById(id) {
      const [factor] = await db.select().from(mfaFactors).where(eq(mfaFactors.id, id));
      return factor ?? null;
    },
    async listConfirmed(userId) {
      return db
        .select()
        .from(mfaFactors)
        .where(confirmedFactorsOf(mfaFactors, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id));
    },
    async standing(userId) {
      const [user] = await db
        .select({ failures: users.mfaTotpFailures, lockedAt: users.mfaTotpLockedAt })
        .from(users)
        .where(eq(users.id, userId));
      return {
        confirmedFactors: await countConfirmedFactors(db, userId),
        recoveryCodesRemaining: await countRecoveryCodes(db, userId),
        totpFailures: user?.failures ?? 0,
        totpLockedAt: user?.lockedAt ?? null,
      };
    },
    confirm(userId, confirmation, event) {
      const write = (tx: Tx) => confirmFactor(tx, userId, confirmation);
      return retryOnTransientConflict(() => writeWithEvent(event, write, wroteWhen('confirmed')));
    },
    acceptTotp(userId, acceptance, event) {
      const write = (tx: Tx) => acceptTotp(tx, userId, acceptance);
      return retryOnTransientConflict(() => writeWithEvent(event, write, wroteWhen('accepted')));
    },
    useRecoveryCode(use, event) {
      const write = (tx: Tx) => useRecoveryCode(tx, use);
      return retryOnTransientConflict(() => writeWithEvent(event, write, wroteWhen('accepted')));
    },
    async recordTotpFailure(failure, event): Promise<TotpFailureResult> {
      const write = async (tx: Tx) => {
        const [row] = await tx
          .update(users)
          .set(failureValues(users, failure))
          .where(eq(users.id, failure.userId))
          .returning({
            mfaTotpFailures: users.mfaTotpFailures,
            mfaTotpLockedAt: users.mfaTotpLockedAt,
          });
        return row ?? null;
      };
      const row = await writeWithEvent(event, write, wroteWithoutRevoking);
      if (row === null) return { totpFailures: 0, lockedNow: false };
      return { totpFailures: row.mfaTotpFailures, lockedNow: lockedByThisFailure(row, failure) };
    },
    async replaceRecoveryCodes(userId, codeHashes, event, notice) {
      const now = timeOfWrite(event);
      const write = async (tx: Tx) => {
        if (!(await lockUser(tx, userId))) return null;
        if ((await countConfirmedFactors(tx, userId)) === 0) return null;
        await storeRecoveryCodes(tx, userId, codeHashes, now);
        if (notice !== undefined) await queue(tx, [notice]);
        return true;
      };
      const replaced = await retryOnTransientConflict(() =>
        writeWithEvent(event, write, wroteWithoutRevoking),
      );
      return replaced === true;
    },
    async remove({ userId, factorId, now, notice }, event) {
      const write = async (tx: Tx) => {
        if (!(await lockUser(tx, userId))) return null;
        const removed = await tx
          .delete(mfaFactors)
          .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.userId, userId)))
          .returning({ id: mfaFactors.id });
        if (removed.length === 0) return null;
        if (notice !== undefined) await queue(tx, [notice]);
        if ((await countConfirmedFactors(tx, userId)) === 0) {
          // No second factor left: the codes that stood in for one go, and so does the lock.
          await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
          await tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId));
          // Nothing is left to prove: sessions waiting for the factor are let in.
          const live = await tx
            .select({ id: sessions.id, restrictions: sessions.restrictions })
            .from(sessions)
            .where(liveSessionsOfUser(sessions, userId, now));
          for (const session of live.filter((each) => each.restrictions.includes('MFA_REQUIRED'))) {
            await tx
              .update(sessions)
              .set(liftedSessionValues(session))
              .where(eq(sessions.id, session.id));
          }
        }
        return true;
      };
      const removed = await retryOnTransientConflict(() =>
        writeWithEvent(event, write, wroteWithoutRevoking),
      );
      return removed === true;
    },
    resetUser(userId, now, event, notice) {
      const write = async (tx: Tx): Promise<number | null> => {
        if (!(await lockUser(tx, userId))) return null;
        if (notice !== undefined) await queue(tx, [notice]);
        await tx.delete(mfaFactors).where(eq(mfaFactors.userId, userId));
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
        await tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId));
        const live = liveSessionsOfUser(sessions, userId, now);
        return revokeSessionsWhere(tx, live, 'mfa_reset', now);
      };
      return retryOnTransientConflict(() => writeWithEvent(event, write, (revoked) => revoked));
    },
    async purgeExpiredPending(expiredBefore) {
      const deleted = await db
        .delete(mfaFactors)
        .where(expiredPendingFactors(mfaFactors, expiredBefore))
        .returning({ id: mfaFactors.id });
      return deleted.length;
    },
    async listSealedSecrets() {
      const rows = await db
        .select({ factorId: mfaFactors.id, sealedSecret: mfaFactors.sealedSecret })
        .from(mfaFactors)
        .where(isNotNull(mfaFactors.sealedSecret))
        .orderBy(asc(mfaFactors.id));
      return rows.flatMap(({ factorId, sealedSecret }) =>
        sealedSecret === null ? [] : [{ factorId, sealedSecret }],
      );
    },
    async replaceSealedSecret(factorId, expected, next) {
      const replaced = await db
        .update(mfaFactors)
        .set({ sealedSecret: next })
        .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.sealedSecret, expected)))
        .returning({ id: mfaFactors.id });
      return replaced.length === 1;
    },
  };
}
