import type { Clock } from '../../clock.js';
import type { InputFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { AuthEventSink } from '../ports/event-sink.js';
import type { AuditEventRecord } from '../ports/records.js';
import type { AuditEventFilter, AuditEventStore } from '../ports/store.js';

export const AUDIT_PAGE_SIZE_MAX = 100;

/**
 * Stores every event in the audit log, but a repeated rate-limit refusal only once, and an event
 * the store appended with its write not again.
 */
export function createAuditLogSink(store: AuditEventStore): AuthEventSink {
  return {
    record: async (event, delivery) => {
      if (delivery?.repeated !== true && delivery?.stored !== true) await store.append(event);
    },
  };
}

export interface AuditEventPage {
  readonly events: readonly AuditEventRecord[];
  readonly hasNextPage: boolean;
}

/** One page of the log, newest first, continuing below `beforeId` when given. */
export async function listAuditEvents(
  store: AuditEventStore,
  filter: AuditEventFilter,
  first: number,
  beforeId?: number,
): Promise<Result<AuditEventPage, InputFailure>> {
  if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE_SIZE_MAX) {
    return failure({ reason: 'INVALID_PAGE_SIZE', field: 'first' });
  }
  const { since, until } = filter;
  if (since !== undefined && until !== undefined && since >= until) {
    return failure({ reason: 'INVALID_TIME_RANGE', field: 'filter' });
  }
  // One extra row tells whether another page follows.
  const rows = await store.list(filter, first + 1, beforeId);
  return success({ events: rows.slice(0, first), hasNextPage: rows.length > first });
}

/** Deletes events older than the retention period; returns how many. */
export function purgeAuditEvents(
  store: AuditEventStore,
  clock: Clock,
  retentionSeconds: number,
): Promise<number> {
  return store.deleteOlderThan(clock.now() - retentionSeconds * 1000);
}
