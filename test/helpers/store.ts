import pg from 'pg';
import { inject } from 'vitest';
import type { SessionEndRecord } from '../../src/auth/ports/records.js';
import type { Store } from '../../src/auth/ports/store.js';
import { openPostgresStore } from '../../src/db/postgres/open.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  runOnServer,
  testDatabaseUrl,
  urlForDatabase,
} from './postgres.js';

/**
 * Which store the behavioural suites run on. The vitest project `postgres` sets
 * TEST_STORE=postgres and runs the same test files again (see vitest.config.ts).
 */
export type TestStoreKind = 'sqlite' | 'postgres';

/** The database URL of each PostgreSQL test store, for tests that inspect what it holds. */
const databaseUrls = new WeakMap<Store, string>();

/**
 * Every row of every table of a PostgreSQL test store, as text: what a scan for secrets reads
 * (the SQLite variant of that test reads the database files themselves).
 */
export async function dumpPostgresTestStore(store: Store): Promise<string> {
  const url = databaseUrls.get(store);
  if (url === undefined) throw new Error('Not a PostgreSQL test store.');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "select quote_ident(table_name) as name from information_schema.tables where table_schema = 'public'",
    );
    let text = '';
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from ${name} t`);
      text += `${rows.rows.map((entry) => entry.row).join('\n')}\n`;
    }
    return text;
  } finally {
    await client.end();
  }
}

/** A revocation record as a before-and-after comparison reads it: without its feed position. */
export type RevocationRow = Omit<SessionEndRecord, 'position'>;

/**
 * Every committed revocation record of a test store, oldest first. On PostgreSQL the store's
 * own listing serves only records below the oldest running transaction (pg_snapshot_xmin), a
 * horizon that any other test's transaction on the server holds back; this reads the table.
 */
export async function allRevocationRecords(store: Store): Promise<RevocationRow[]> {
  const url = databaseUrls.get(store);
  if (url === undefined) {
    const records = (await store.revocations.listAfter(null, 100_000)) ?? [];
    return records.map(({ position: _position, ...row }) => row);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<RevocationRow>(
      `select session_id as "sessionId", user_id as "userId", reason, ended_at::float8 as "endedAt",
              session_expires_at::float8 as "sessionExpiresAt"
         from revocations order by tx, id`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** The database URL of a PostgreSQL test store, for a test that opens its own connection. */
export function postgresTestStoreUrl(store: Store): string {
  const url = databaseUrls.get(store);
  if (url === undefined) throw new Error('Not a PostgreSQL test store.');
  return url;
}

/** PostgreSQL stores not closed yet; the project's setup file closes leftovers after each file. */
const openStores = new Set<Store>();

export async function closeLeftoverTestStores(): Promise<void> {
  await Promise.all([...openStores].map((store) => store.close()));
}

export function testStoreKind(): TestStoreKind {
  return process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A fresh, empty, migrated store of the kind under test: in-memory SQLite, or a new PostgreSQL
 * database cloned from the migrated template (dropped again on close).
 */
export async function openTestStore(): Promise<Store> {
  if (testStoreKind() === 'sqlite') return openSqliteStore(':memory:');
  return openPostgresTestStore((url) => openPostgresStore(url, { maxConnections: 4 }));
}

/**
 * A new PostgreSQL database cloned from the migrated template, with the store `open` makes on
 * it; closing the store drops the database.
 */
export async function openPostgresTestStore(open: (url: string) => Promise<Store>): Promise<Store> {
  const serverUrl = testDatabaseUrl();
  if (serverUrl === null) throw new Error('TEST_STORE=postgres needs TEST_DATABASE_URL.');
  const database = randomDatabaseName('store');
  const template = inject('postgresTemplate');
  await runOnServer(
    serverUrl,
    `create database ${quoteIdentifier(database)} template ${quoteIdentifier(template)}`,
  );
  const url = urlForDatabase(serverUrl, database);
  const store = await open(url);
  const testStore: Store = {
    ...store,
    async close() {
      if (!openStores.delete(testStore)) return;
      await store.close();
      await runOnServer(
        serverUrl,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    },
  };
  openStores.add(testStore);
  databaseUrls.set(testStore, url);
  return testStore;
}
