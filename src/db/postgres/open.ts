import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { Store } from '../../auth/ports/store.js';
import { createPostgresAccountStore } from './accounts.js';
import { createPostgresAuditEventStore } from './audit-events.js';
import { openBoundedPool, type PoolBounds } from './bounded-pool.js';
import { createPostgresFactorStore } from './factors.js';
import { createPostgresOutboxStore } from './outbox.js';
import { createPostgresPasskeyStore } from './passkeys.js';
import { createPostgresRevocationStore } from './revocations.js';
import { createPostgresSessionStore } from './sessions.js';
import { createPostgresSigningKeyStore } from './signing-keys.js';
import { createPostgresUserStore } from './users.js';

/** The generated migrations; the same relative path from `src/` and from the built `dist/`. */
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle/postgres', import.meta.url));

/** Any fixed number: the session-level advisory lock held while migrations run. */
export const MIGRATION_LOCK = 0x6d696772; // "migr"

/** How long a request waits on the database by default (DATABASE_QUERY_TIMEOUT). */
export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

/**
 * Start-up's bound on the migrations: waiting for another instance's migrations to finish (the
 * advisory lock), then each migration statement. Far longer than a request's: a migration may
 * rewrite a large table, and an instance that gives up too early only restarts to wait again.
 */
export const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/** The audit-retention job's bound on its one DELETE, which may span months of events. */
export const AUDIT_PURGE_TIMEOUT_MS = 5 * 60_000;

export interface PostgresStoreOptions {
  /** Most connections the request pool opens; each instance holds its own pool. */
  readonly maxConnections?: number;
  /** The request path's bound on connecting and on each statement; 5 s by default. */
  readonly queryTimeoutMs?: number;
  /** {@link MIGRATION_TIMEOUT_MS} by default. */
  readonly migrationTimeoutMs?: number;
  /** {@link AUDIT_PURGE_TIMEOUT_MS} by default. */
  readonly auditPurgeTimeoutMs?: number;
  /** Told when an idle connection fails (the server restarted, say); the pool replaces it. */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * Connects to the PostgreSQL database at `url`, applies pending migrations and returns the
 * store. Instances starting together take turns on the migrations (an advisory lock), so a new
 * database is migrated exactly once.
 *
 * Every wait has a bound (see bounded-pool.ts): requests wait at most `queryTimeoutMs` to
 * connect and as long again for each statement. The migrations and the audit purge run on
 * connections of their own with longer bounds, so that neither is cut short by the request
 * path's, nor holds a request's connection.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<Store> {
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  await migrateOnce(url, {
    connectMs: queryTimeoutMs,
    statementMs: options.migrationTimeoutMs ?? MIGRATION_TIMEOUT_MS,
  });
  const pool = openBoundedPool(url, {
    maxConnections: options.maxConnections ?? 10,
    bounds: { connectMs: queryTimeoutMs, statementMs: queryTimeoutMs },
    onConnectionError: options.onConnectionError,
  });
  // One connection, opened when the hourly purge runs and closed when it has been idle a while.
  const maintenance = openBoundedPool(url, {
    maxConnections: 1,
    bounds: {
      connectMs: queryTimeoutMs,
      statementMs: options.auditPurgeTimeoutMs ?? AUDIT_PURGE_TIMEOUT_MS,
    },
    onConnectionError: options.onConnectionError,
  });
  return createPostgresStore(pool, maintenance);
}

/**
 * The store on pools of a migrated database: `pool` serves requests, `maintenance` the audit
 * purge (the same pool, when not given). Closing the store ends both.
 */
export function createPostgresStore(pool: pg.Pool, maintenance: pg.Pool = pool): Store {
  const db = drizzle({ client: pool });
  return {
    users: createPostgresUserStore(db),
    sessions: createPostgresSessionStore(db),
    signingKeys: createPostgresSigningKeyStore(db),
    auditEvents: createPostgresAuditEventStore(db, drizzle({ client: maintenance })),
    revocations: createPostgresRevocationStore(db),
    accounts: createPostgresAccountStore(db),
    outbox: createPostgresOutboxStore(db),
    factors: createPostgresFactorStore(db),
    passkeys: createPostgresPasskeyStore(db),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await Promise.all(
        [...new Set([pool, maintenance])].map((each) => (each.ended ? null : each.end())),
      );
    },
  };
}

/** Runs the pending migrations on a connection of their own, with their own bounds. */
async function migrateOnce(url: string, bounds: PoolBounds): Promise<void> {
  const pool = openBoundedPool(url, { maxConnections: 1, bounds });
  try {
    const client = await pool.connect();
    try {
      // A statement like any other: waiting for the lock counts against statement_timeout.
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
  } finally {
    await pool.end();
  }
}
