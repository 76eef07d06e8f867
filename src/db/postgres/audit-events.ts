import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AuditEventStore } from '../store.js';
import { auditEvents } from './schema.js';

export function createPostgresAuditEventStore(db: NodePgDatabase): AuditEventStore {
  return {
    async append(event) {
      await db.insert(auditEvents).values(event);
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
        .limit(limit);
    },
    async deleteOlderThan(cutoff) {
      const result = await db.delete(auditEvents).where(lt(auditEvents.at, cutoff));
      return result.rowCount ?? 0;
    },
  };
}
