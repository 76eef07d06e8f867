import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import {
  auditRowsOf,
  type RevokedSessionsOf,
  runTransaction,
  type WriteEvents,
} from '../audited-write.js';
import { auditEvents } from './schema.js';

export interface SqliteWriteOptions {
  /** IMMEDIATE takes the write lock before the first read (see users.changePassword). */
  readonly immediate?: boolean;
}

/**
 * Runs `write` in one transaction with the audit row of `event` (see ../audited-write.ts): both
 * commit or neither does. Without an event the write runs in a transaction of its own all the
 * same.
 */
export function writeWithEvent<T>(
  db: BetterSQLite3Database,
  event: WriteEvents,
  write: (tx: BetterSQLite3Database) => T,
  revokedSessionsOf: RevokedSessionsOf<T>,
  options: SqliteWriteOptions = {},
): Promise<T> {
  return runTransaction((committing) =>
    db.transaction(
      (tx) => {
        const result = write(tx);
        const revokedSessions = revokedSessionsOf(result);
        const rows = revokedSessions === null ? [] : auditRowsOf(event, revokedSessions);
        if (rows.length > 0) tx.insert(auditEvents).values(rows).run();
        committing();
        return result;
      },
      { behavior: options.immediate === true ? 'immediate' : 'deferred' },
    ),
  );
}
