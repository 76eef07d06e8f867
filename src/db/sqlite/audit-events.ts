import { desc, lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AuditEventStore } from '../../auth/ports/store.js';
import { auditFilterCondition } from '../audit-filter.js';
import { auditEvents } from './schema.js';

export function createSqliteAuditEventStore(db: BetterSQLite3Database): AuditEventStore {
  return {
    async append(event) {
      db.insert(auditEvents).values(event).run();
    },
    async list(filter, limit, beforeId) {
      return db
        .select()
        .from(auditEvents)
        .where(auditFilterCondition(auditEvents, filter, beforeId))
        .orderBy(desc(auditEvents.id))
        .limit(limit)
        .all();
    },
    async deleteOlderThan(cutoff) {
      return db.delete(auditEvents).where(lt(auditEvents.at, cutoff)).run().changes;
    },
  };
}
