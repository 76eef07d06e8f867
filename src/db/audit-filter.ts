import { type AnyColumn, and, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { AuditEventFilter } from '../auth/ports/store.js';

/** The audit table's columns a filter reads, in either dialect. */
export interface AuditFilterColumns {
  readonly id: AnyColumn;
  readonly at: AnyColumn;
  readonly type: AnyColumn;
  readonly userId: AnyColumn;
}

/** The WHERE clause of an audit page: the filter, and the cursor (ids below `beforeId`). */
export function auditFilterCondition(
  columns: AuditFilterColumns,
  filter: AuditEventFilter,
  beforeId: number | undefined,
): SQL | undefined {
  const { userId, types, since, until } = filter;
  return and(
    userId === undefined ? undefined : eq(columns.userId, userId),
    types === undefined || types.length === 0 ? undefined : inArray(columns.type, [...types]),
    since === undefined ? undefined : gte(columns.at, since),
    until === undefined ? undefined : lt(columns.at, until),
    beforeId === undefined ? undefined : lt(columns.id, beforeId),
  );
}
