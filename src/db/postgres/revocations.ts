import { and, asc, lt, or, type SQL, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { RevocationStore } from '../../auth/ports/store.js';
import { revocations } from './schema.js';

const POSITION = /^([0-9]{1,20})\.([1-9][0-9]{0,15})$/;

/**
 * The revocation records in (transaction id, id) order, read only below the safe horizon.
 *
 * A sequence hands out ids when rows are inserted, not when they commit, so a record with a
 * smaller id can commit after a larger one has been read: a reader continuing after the larger
 * one would skip it for good. Transaction ids have the property ids lack: every transaction
 * that is still running, or has yet to start, has an id at or above the oldest running one
 * (`pg_snapshot_xmin` of the statement's snapshot). So the records of transactions below that
 * horizon are all committed or rolled back and visible to the statement, and any record that
 * appears later sorts after them. The price: a record waits to be served while a transaction
 * that began before it is still running, which the statement and idle-in-transaction timeouts
 * bound.
 */
export function createPostgresRevocationStore(db: NodePgDatabase): RevocationStore {
  return {
    async listAfter(after, limit) {
      let from: SQL | undefined;
      if (after !== null) {
        const match = POSITION.exec(after);
        if (match === null) return null;
        const [, tx, id] = match;
        from = sql`(${revocations.tx}, ${revocations.id}) > (${tx}::xid8, ${Number(id)})`;
      }
      const rows = await db
        .select({
          id: revocations.id,
          tx: sql<string>`${revocations.tx}::text`,
          sessionId: revocations.sessionId,
          userId: revocations.userId,
          reason: revocations.reason,
          endedAt: revocations.endedAt,
          sessionExpiresAt: revocations.sessionExpiresAt,
        })
        .from(revocations)
        .where(and(from, sql`${revocations.tx} < pg_snapshot_xmin(pg_current_snapshot())`))
        .orderBy(asc(revocations.tx), asc(revocations.id))
        .limit(limit);
      return rows.map(({ id, tx, ...record }) => ({ position: `${tx}.${id}`, ...record }));
    },
    async deleteExpired(endedBefore, sessionExpiredBefore) {
      const deleted = await db
        .delete(revocations)
        .where(
          or(
            lt(revocations.endedAt, endedBefore),
            lt(revocations.sessionExpiresAt, sessionExpiredBefore),
          ),
        )
        .returning({ id: revocations.id });
      return deleted.length;
    },
  };
}
