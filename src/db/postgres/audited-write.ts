import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { WriteEvent } from '../../auth/ports/store.js';
import { auditRowOf, type RevokedSessionsOf, runTransaction } from '../audited-write.js';
import { auditEvents } from './schema.js';

/** The store's database: drizzle on a pool, from which each transaction borrows a connection. */
export type PostgresDatabase = NodePgDatabase & { readonly $client: pg.Pool };

/** What a write's statements run on: drizzle on its transaction's connection. */
export type PostgresTransaction = NodePgDatabase;

/**
 * Runs `write` in one transaction with the audit row of `event` (see ../audited-write.ts): both
 * commit or neither does. Without an event the write runs in a transaction of its own all the
 * same.
 *
 * The transaction is run here rather than by drizzle's `transaction()`, which never returns the
 * connection to the pool when BEGIN fails (as on a connection the server dropped): each such
 * failure would cost the pool a connection for good.
 */
export function writeWithEvent<T>(
  db: PostgresDatabase,
  event: WriteEvent | undefined,
  write: (tx: PostgresTransaction) => Promise<T>,
  revokedSessionsOf: RevokedSessionsOf<T>,
): Promise<T> {
  return runTransaction(async (committing) => {
    const client = await db.$client.connect();
    let usable = true;
    try {
      await client.query('begin');
      const tx = drizzle({ client });
      const result = await write(tx);
      const revokedSessions = revokedSessionsOf(result);
      if (event !== undefined && revokedSessions !== null) {
        await tx.insert(auditEvents).values(auditRowOf(event, revokedSessions));
      }
      committing();
      await client.query('commit');
      return result;
    } catch (error) {
      usable = await rollBack(client);
      throw error;
    } finally {
      // A connection that could not even roll back is closed, not handed to the next caller.
      client.release(!usable);
    }
  });
}

/**
 * Rolls back whatever the failed transaction did (nothing, after a COMMIT that went through):
 * true when the connection answered. Its own error, if any, is not the one worth reporting.
 */
function rollBack(client: pg.PoolClient): Promise<boolean> {
  return client.query('rollback').then(
    () => true,
    () => false,
  );
}
