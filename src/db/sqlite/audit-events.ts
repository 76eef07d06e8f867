import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AuditEventStore } from '../store.js';
import { auditEvents } from './schema.js';

export function createSqliteAuditEventStore(db: BetterSQLite3Database): AuditEventStore {
  return {
    async append(event) {
      db.insert(auditEvents).values(event).run();
    },
    async list(filter, limit, beforeId) {
      const { userId, types, since, until } = filter;
      return db
        .select()
        .from(auditEvents)
        .where(
          and(
            userId === undefined ? undefined : eq(auditEvents.userId, userId),
            types === undefined || types.length === 0
              ? undefined
              : inArray(auditEvents.type, [...types]),
            since === undefined ? undefined : gte(auditEvents.at, since),
            until === undefined ? undefined : lt(auditEvents.at, until),
            beforeId === undefined ? undefined : lt(auditEvents.id, beforeId),
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(limit)
        .all();
    },
    async deleteOlderThan(cutoff) {
      return db.delete(auditEvents).where(lt(auditEvents.at, cutoff)).run().changes;
    },
  };
}
