import { and, asc, count, inArray, lt, ne, sql } from 'drizzle-orm';
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
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction,
} from './audited-write.js';
import { linkTokens, outbox, users } from './schema.js';

// The PostgreSQL twin of ../sqlite/outbox.ts. A claim is one UPDATE under READ COMMITTED: a
// second sender's UPDATE that picked the same row waits for the first's row lock, then
// re-checks the condition against the committed row, now leased, and skips it. No lock is
// held once the claim commits, so a slow SMTP server holds no database connection.

export function createPostgresOutboxStore(db: PostgresDatabase): OutboxStore {
  const { writeWithEvent } = createPostgresWriter(db);
  return {
    async claimDue(claim) {
      const due = db
        .select({ id: outbox.id })
        .from(outbox)
        .where(dueMail(outbox, claim.now))
        .orderBy(...dueOrder(outbox))
        .limit(claim.limit);
      return db
        .update(outbox)
        .set(leaseValues(claim))
        .where(and(inArray(outbox.id, due), dueMail(outbox, claim.now)))
        .returning();
    },
    async attachLink(mailId, owner, { link, payload }) {
      const write = async (tx: PostgresTransaction) => {
        // FOR SHARE: a disable, an email change or a delete of the account waits for this
        // transaction, or this one sees what it committed.
        const [user] = await tx
          .select({ id: users.id })
          .from(users)
          .where(enabledAt(users, link.userId, link.email))
          .for('share');
        if (user === undefined) return null;
        const attached = await tx
          .update(outbox)
          .set({ payload: { ...payload }, linkExpiresAt: link.expiresAt, userId: link.userId })
          .where(leasedMail(outbox, mailId, owner))
          .returning({ id: outbox.id });
        if (attached.length === 0) return null;
        await tx.delete(linkTokens).where(linksOfUser(linkTokens, link.userId, [link.purpose]));
        await tx.insert(linkTokens).values(link);
        return true;
      };
      return (await writeWithEvent(undefined, write, () => null)) === true;
    },
    async renewLease(mailId, owner, now, leaseMs) {
      const renewed = await db
        .update(outbox)
        .set({ leaseUntil: now + leaseMs })
        .where(liveLease(outbox, mailId, owner, now))
        .returning({ id: outbox.id });
      return renewed.length === 1;
    },
    async settle(mailId, owner, settlement) {
      const settled = await db
        .update(outbox)
        .set({ ...settlementValues(settlement), attempts: sql`${outbox.attempts} + 1` })
        .where(leasedMail(outbox, mailId, owner))
        .returning({ id: outbox.id });
      return settled.length === 1;
    },
    async retry(mailId, owner, retry) {
      const retried = await db
        .update(outbox)
        .set({
          attempts: sql`${outbox.attempts} + 1`,
          nextAttemptAt: retry.nextAttemptAt,
          leaseUntil: null,
          leaseOwner: null,
          lastError: retry.error,
        })
        .where(leasedMail(outbox, mailId, owner))
        .returning({ id: outbox.id });
      return retried.length === 1;
    },
    async list(states, limit) {
      const rows = await db
        .select()
        .from(outbox)
        .where(inArray(outbox.state, [...states]))
        .orderBy(asc(outbox.createdAt), asc(outbox.id))
        .limit(limit);
      return rows.map(withoutBody);
    },
    async countByState() {
      const rows = await db
        .select({ state: outbox.state, count: count() })
        .from(outbox)
        .groupBy(outbox.state);
      return countsOfStates(rows);
    },
    async purgeSettled(cutoff) {
      const deleted = await db
        .delete(outbox)
        .where(and(ne(outbox.state, 'pending'), lt(outbox.settledAt, cutoff)))
        .returning({ id: outbox.id });
      return deleted.length;
    },
  };
}
