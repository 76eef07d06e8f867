import { desc, lt } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AuditEventStore } from '../../auth/ports/store.js';
import { auditFilterCondition } from '../audit-filter.js';
import { auditEvents } from './schema.js';

/**
 * The audit log on `db`; the retention purge runs on `maintenance`, whose connection has the
 * longer bound a large DELETE may need (see open.ts).
 */
export function createPostgresAuditEventStore(
  db: NodePgDatabase,
  maintenance: NodePgDatabase,
): AuditEventStore {
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
      const result = await maintenance.delete(auditEvents).where(lt(auditEvents.at, cutoff));
      return result.rowCount ?? 0;
    },
  };
}
