import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import {
  auditRowsOf,
  type RevokedSessionsOf,
  runTransaction,
  type WriteEvents,
} from '../audited-write.js';
import { auditEvents } from './schema.js';

/** The store's database: drizzle on a pool, from which each transaction borrows a connection. */
export type PostgresDatabase = NodePgDatabase & { readonly $client: pg.Pool };

/** What a write's statements run on: drizzle on its transaction's connection. */
export type PostgresTransaction = NodePgDatabase;

/** Runs writes in transactions, each with its audit event (see ../audited-write.ts). */
export interface PostgresWriter {
  /**
   * Runs `write` in one transaction with the audit row of `event`: both commit or neither does.
   * Without an event the write runs in a transaction of its own all the same.
   */
  writeWithEvent<T>(
    event: WriteEvents,
    write: (tx: PostgresTransaction) => Promise<T>,
    revokedSessionsOf: RevokedSessionsOf<T>,
  ): Promise<T>;
}

/**
 * Transactions on connections borrowed from `db`'s pool. Each connection keeps the drizzle
 * database built on it (the pool lends the same ones again), so statements prepared on it can
 * be kept too (see createPostgresSessionStore).
 *
 * The transaction is run here rather than by drizzle's `transaction()`, which never returns the
 * connection to the pool when BEGIN fails (as on a connection the server dropped): each such
 * failure would cost the pool a connection for good.
 */
export function createPostgresWriter(db: PostgresDatabase): PostgresWriter {
  const onConnection = new WeakMap<pg.PoolClient, PostgresTransaction>();
  function databaseOn(client: pg.PoolClient): PostgresTransaction {
    const known = onConnection.get(client);
    if (known !== undefined) return known;
    const tx = drizzle({ client });
    onConnection.set(client, tx);
    return tx;
  }

  return {
    writeWithEvent(event, write, revokedSessionsOf) {
      return runTransaction(async (committing) => {
        const client = await db.$client.connect();
        let usable = true;
        try {
          await client.query('begin');
          const tx = databaseOn(client);
          const result = await write(tx);
          const revokedSessions = revokedSessionsOf(result);
          const rows = revokedSessions === null ? [] : auditRowsOf(event, revokedSessions);
          if (rows.length > 0) await tx.insert(auditEvents).values(rows);
          committing();
          await client.query('commit');
          return result;
        } catch (error) {
          usable = await rollBack(client);
          throw error;
        } finally {
          // A connection that could not even roll back is closed, not lent again.
          client.release(!usable);
        }
      });
    },
  };
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
