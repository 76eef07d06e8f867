import { randomBytes } from 'node:crypto';
import pg from 'pg';

// PostgreSQL for tests. TEST_DATABASE_URL names a server and a database we may create
// databases from; every test store is a fresh database cloned from a migrated template.
// Suites that need it are `describeWithServices(['postgres'], ...)` (./services.ts), which
// skips them, saying why, when it is unset. (No vitest import here: the postgres project's
// global setup uses this file outside any test.)

/** The server tests use, or null when TEST_DATABASE_URL is unset (those tests then skip). */
export function testDatabaseUrl(): string | null {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url === undefined || url === '' ? null : url;
}

/** The server, for hooks and tests of a suite that only runs when it is set. */
export function requireTestDatabaseUrl(): string {
  const url = testDatabaseUrl();
  if (url === null) throw new Error('TEST_DATABASE_URL is unset');
  return url;
}

/** Databases created by this test run start with this, so a crashed run's are easy to find. */
export const TEST_DATABASE_PREFIX = 'auth_test_';

export function randomDatabaseName(kind: string): string {
  return `${TEST_DATABASE_PREFIX}${kind}_${randomBytes(6).toString('hex')}`;
}

/** The same server URL with another database. */
export function urlForDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.href;
}

/** Runs one statement on the server's maintenance connection (the TEST_DATABASE_URL database). */
export async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Identifiers we generate are [a-z0-9_] only; quoting keeps them exact anyway. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
