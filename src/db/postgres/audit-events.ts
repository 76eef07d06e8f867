import { desc, lt } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AuditEventStore } from '../../auth/ports/store.js';
import { auditFilterCondition } from '../audit-filter.js';
import { auditEvents } from './schema.js';

export function createPostgresAuditEventStore(db: NodePgDatabase): AuditEventStore {
  return {
    async append(event) {
      await db.insert(auditEvents).values(event);
    },
    async list(filter, limit, beforeId) {
      return db
        .select()
        .from(auditEvents)
        .where(auditFilterCondition(auditEvents, filter, beforeId))
        .orderBy(desc(auditEvents.id))
        .limit(limit);
    },
    async deleteOlderThan(cutoff) {
      const result = await db.delete(auditEvents).where(lt(auditEvents.at, cutoff));
      return result.rowCount ?? 0;
    },
  };
}
