import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
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
import { writeWithEvent } from './audited-write.js';
import { countConfirmedFactors, countRecoveryCodes } from './factor-counts.js';
import { acceptTotp, confirmFactor, storeRecoveryCodes, useRecoveryCode } from './factor-writes.js';
import { queue, type Tx } from './link-writes.js';
import { mfaFactors, recoveryCodes, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// Second factors on SQLite: each write one IMMEDIATE transaction (the write lock from the
// first read, as PostgreSQL locks the user row), made of ./factor-writes.ts.

const immediate = { immediate: true } as const;

function userExists(tx: Tx, userId: string): boolean {
  return tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).get() !== undefined;
}

export function createSqliteFactorStore(db: BetterSQLite3Database): FactorStore {
  return {
    insertPending(factor, event) {
      const write = (tx: Tx) => {
        tx.delete(mfaFactors).where(pendingFactorsOf(mfaFactors, factor.userId)).run();
        return tx.insert(mfaFactors).values(factor).returning().get();
      };
      return writeWithEvent(db, event, write, wroteWithoutRevoking, immediate);
    },
    async findById(id) {
      return db.select().from(mfaFactors).where(eq(mfaFactors.id, id)).get() ?? null;
    },
    async listConfirmed(userId) {
      return db
        .select()
        .from(mfaFactors)
        .where(confirmedFactorsOf(mfaFactors, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id))
        .all();
    },
    async standing(userId) {
      const read = (tx: Tx) => {
        const user = tx
          .select({ failures: users.mfaTotpFailures, lockedAt: users.mfaTotpLockedAt })
          .from(users)
          .where(eq(users.id, userId))
          .get();
        return {
          confirmedFactors: countConfirmedFactors(tx, userId),
          recoveryCodesRemaining: countRecoveryCodes(tx, userId),
          totpFailures: user?.failures ?? 0,
          totpLockedAt: user?.lockedAt ?? null,
        };
      };
      // One snapshot for the three reads.
      return db.transaction(read);
    },
    confirm(userId, confirmation, event) {
      const write = (tx: Tx) => confirmFactor(tx, userId, confirmation);
      return writeWithEvent(db, event, write, wroteWhen('confirmed'), immediate);
    },
    acceptTotp(userId, acceptance, event) {
      const write = (tx: Tx) => acceptTotp(tx, userId, acceptance);
      return writeWithEvent(db, event, write, wroteWhen('accepted'), immediate);
    },
    useRecoveryCode(use, event) {
      const write = (tx: Tx) => useRecoveryCode(tx, use);
      return writeWithEvent(db, event, write, wroteWhen('accepted'), immediate);
    },
    async recordTotpFailure(failure, event): Promise<TotpFailureResult> {
      const write = (tx: Tx) =>
        tx
          .update(users)
          .set(failureValues(users, failure))
          .where(eq(users.id, failure.userId))
          .returning({
            mfaTotpFailures: users.mfaTotpFailures,
            mfaTotpLockedAt: users.mfaTotpLockedAt,
          })
          .get() ?? null;
      const row = await writeWithEvent(db, event, write, wroteWithoutRevoking);
      if (row === null) return { totpFailures: 0, lockedNow: false };
      return { totpFailures: row.mfaTotpFailures, lockedNow: lockedByThisFailure(row, failure) };
    },
    async replaceRecoveryCodes(userId, codeHashes, event, notice) {
      const now = timeOfWrite(event);
      const write = (tx: Tx) => {
        if (countConfirmedFactors(tx, userId) === 0) return null;
        storeRecoveryCodes(tx, userId, codeHashes, now);
        if (notice !== undefined) queue(tx, [notice]);
        return true;
      };
      return (await writeWithEvent(db, event, write, wroteWithoutRevoking, immediate)) === true;
    },
    async remove({ userId, factorId, now, notice }, event) {
      const write = (tx: Tx) => {
        const removed = tx
          .delete(mfaFactors)
          .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.userId, userId)))
          .returning({ id: mfaFactors.id })
          .all();
        if (removed.length === 0) return null;
        if (notice !== undefined) queue(tx, [notice]);
        if (countConfirmedFactors(tx, userId) === 0) {
          // No second factor left: the codes that stood in for one go, and so does the lock.
          tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
          tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId)).run();
          // Nothing is left to prove: sessions waiting for the factor are let in.
          const waiting = tx
            .select({ id: sessions.id, restrictions: sessions.restrictions })
            .from(sessions)
            .where(liveSessionsOfUser(sessions, userId, now))
            .all()
            .filter((session) => session.restrictions.includes('MFA_REQUIRED'));
          for (const session of waiting) {
            tx.update(sessions)
              .set(liftedSessionValues(session))
              .where(eq(sessions.id, session.id))
              .run();
          }
        }
        return true;
      };
      return (await writeWithEvent(db, event, write, wroteWithoutRevoking, immediate)) === true;
    },
    resetUser(userId, now, event, notice) {
      const write = (tx: Tx): number | null => {
        if (!userExists(tx, userId)) return null;
        if (notice !== undefined) queue(tx, [notice]);
        tx.delete(mfaFactors).where(eq(mfaFactors.userId, userId)).run();
        tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
        tx.update(users).set(clearedFailuresAndLock()).where(eq(users.id, userId)).run();
        const live = liveSessionsOfUser(sessions, userId, now);
        return revokeSessionsWhere(tx, live, 'mfa_reset', now);
      };
      return writeWithEvent(db, event, write, (revoked) => revoked, immediate);
    },
    async purgeExpiredPending(expiredBefore) {
      return db.delete(mfaFactors).where(expiredPendingFactors(mfaFactors, expiredBefore)).run()
        .changes;
    },
    async listSealedSecrets() {
      const rows = db
        .select({ factorId: mfaFactors.id, sealedSecret: mfaFactors.sealedSecret })
        .from(mfaFactors)
        .where(isNotNull(mfaFactors.sealedSecret))
        .orderBy(asc(mfaFactors.id))
        .all();
      return rows.flatMap(({ factorId, sealedSecret }) =>
        sealedSecret === null ? [] : [{ factorId, sealedSecret }],
      );
    },
    async replaceSealedSecret(factorId, expected, next) {
      const result = db
        .update(mfaFactors)
        .set({ sealedSecret: next })
        .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.sealedSecret, expected)))
        .run();
      return result.changes === 1;
    },
  };
}
