import { asc, gt, lt, or } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { RevocationStore } from '../../auth/ports/store.js';
import { revocations } from './schema.js';

const POSITION = /^[1-9][0-9]{0,15}$/;

/**
 * The revocation records in id order. SQLite has one writer at a time and assigns the id inside
 * the write transaction, so ids become readable in increasing order: nothing can commit behind
 * a reader.
 */
export function createSqliteRevocationStore(db: BetterSQLite3Database): RevocationStore {
  return {
    async listAfter(after, limit) {
      let afterId = 0;
      if (after !== null) {
        if (!POSITION.test(after)) return null;
        afterId = Number(after);
      }
      const rows = db
        .select()
        .from(revocations)
        .where(gt(revocations.id, afterId))
        .orderBy(asc(revocations.id))
        .limit(limit)
        .all();
      return rows.map(({ id, ...record }) => ({ position: String(id), ...record }));
    },
    async deleteExpired(endedBefore, sessionExpiredBefore) {
      return db
        .delete(revocations)
        .where(
          or(
            lt(revocations.endedAt, endedBefore),
            lt(revocations.sessionExpiresAt, sessionExpiredBefore),
          ),
        )
        .run().changes;
    },
  };
}
