import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Store } from '../../auth/ports/store.js';
import { createPostgresAuditEventStore } from './audit-events.js';
import { createPostgresSessionStore } from './sessions.js';
import { createPostgresSigningKeyStore } from './signing-keys.js';
import { createPostgresUserStore } from './users.js';

/** The generated migrations; the same relative path from `src/` and from the built `dist/`. */
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle/postgres', import.meta.url));

/** Any fixed number: the session-level advisory lock held while migrations run. */
const MIGRATION_LOCK = 0x6d696772; // "migr"

export interface PostgresStoreOptions {
  /** Most connections the pool opens; each instance holds its own pool. */
  readonly maxConnections?: number;
  /** Told when an idle connection fails (the server restarted, say); the pool replaces it. */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * Connects to the PostgreSQL database at `url`, applies pending migrations and returns the
 * store. Instances starting together take turns on the migrations (an advisory lock), so a new
 * database is migrated exactly once.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // A dead database fails a request in seconds instead of queueing it forever.
    connectionTimeoutMillis: 5_000,
    // TCP keepalive notices a peer that vanished without closing the connection.
    keepAlive: true,
  });
  // An idle client whose server went away emits 'error'; the pool drops it and reconnects on
  // the next query. Without a listener the process would crash.
  pool.on('error', (error) => options.onConnectionError?.(error));
  // A connection checked out for a transaction has no pool listener: the server ending it
  // between two statements (a restart's 57P01) would be an unhandled 'error' and end the
  // process. Heard here, the transaction's next statement fails instead, and on release the
  // pool drops the connection, which is no longer queryable.
  const onCheckedOutError = (error: Error) => options.onConnectionError?.(error);
  pool.on('acquire', (client) => client.on('error', onCheckedOutError));
  pool.on('release', (_error, client) => client.off('error', onCheckedOutError));
  try {
    await migrateOnce(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createPostgresStore(pool);
}

/** The store on a pool of a migrated database; closing the store ends the pool. */
export function createPostgresStore(pool: pg.Pool): Store {
  const db = drizzle({ client: pool });
  return {
    users: createPostgresUserStore(db),
    sessions: createPostgresSessionStore(db),
    signingKeys: createPostgresSigningKeyStore(db),
    auditEvents: createPostgresAuditEventStore(db),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

async function migrateOnce(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Each pending migration runs in one transaction with the others, on this connection.
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
