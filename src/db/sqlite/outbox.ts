import { and, asc, count, inArray, lt, ne, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { OutboxStore } from '../../auth/ports/outbox-store.js';
import {
  countsOfStates,
  dueMail,
  dueOrder,
  enabledAt,
  leasedMail,
  leaseValues,
  linksOfUser,
  liveLease,
  settlementValues,
  withoutBody,
} from '../lifecycle-sql.js';
import { writeWithEvent } from './audited-write.js';
import { linkTokens, outbox, users } from './schema.js';

export function createSqliteOutboxStore(db: BetterSQLite3Database): OutboxStore {
  return {
    async claimDue(claim) {
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(dueMail(outbox, claim.now))
        .orderBy(...dueOrder(outbox))
        .limit(claim.limit);
      // One statement: the condition is checked again on each row it leases.
      return db
        .update(outbox)
        .set(leaseValues(claim))
        .where(and(inArray(outbox.id, due), dueMail(outbox, claim.now)))
        .returning()
        .all();
    },
    async attachLink(mailId, owner, { link, payload }) {
      const write = (tx: BetterSQLite3Database) => {
        const user = tx
          .select({ id: users.id })
          .from(users)
          .where(enabledAt(users, link.userId, link.email))
          .get();
        if (user === undefined) return null;
        const attached = tx
          .update(outbox)
          .set({ payload: { ...payload }, linkExpiresAt: link.expiresAt, userId: link.userId })
          .where(leasedMail(outbox, mailId, owner))
          .returning({ id: outbox.id })
          .all();
        if (attached.length === 0) return null;
        tx.delete(linkTokens)
          .where(linksOfUser(linkTokens, link.userId, [link.purpose]))
          .run();
        tx.insert(linkTokens).values(link).run();
        return true;
      };
      const attached = await writeWithEvent(db, undefined, write, () => null, { immediate: true });
      return attached === true;
    },
    async renewLease(mailId, owner, now, leaseMs) {
      const renewed = db
        .update(outbox)
        .set({ leaseUntil: now + leaseMs })
        .where(liveLease(outbox, mailId, owner, now))
        .run();
      return renewed.changes === 1;
    },
    async settle(mailId, owner, settlement) {
      const settled = db
        .update(outbox)
        .set({ ...settlementValues(settlement), attempts: sql`${outbox.attempts} + 1` })
        .where(leasedMail(outbox, mailId, owner))
        .run();
      return settled.changes === 1;
    },
    async retry(mailId, owner, retry) {
      const retried = db
        .update(outbox)
        .set({
          attempts: sql`${outbox.attempts} + 1`,
          nextAttemptAt: retry.nextAttemptAt,
          leaseUntil: null,
          leaseOwner: null,
          lastError: retry.error,
        })
        .where(leasedMail(outbox, mailId, owner))
        .run();
      return retried.changes === 1;
    },
    async list(states, limit) {
      const rows = db
        .select()
        .from(outbox)
        .where(inArray(outbox.state, [...states]))
        .orderBy(asc(outbox.createdAt), asc(outbox.id))
        .limit(limit)
        .all();
      return rows.map(withoutBody);
    },
    async countByState() {
      const rows = db
        .select({ state: outbox.state, count: count() })
        .from(outbox)
        .groupBy(outbox.state)
        .all();
      return countsOfStates(rows);
    },
    async purgeSettled(cutoff) {
      return db
        .delete(outbox)
        .where(and(ne(outbox.state, 'pending'), lt(outbox.settledAt, cutoff)))
        .run().changes;
    },
  };
}
