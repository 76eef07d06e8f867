import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPendingPostgresMigration } from '../../../scripts/pending-migrations.js';
import type { NewSession } from '../../../src/auth/ports/records.js';
import { sqlState } from '../../../src/db/postgres/conflicts.js';
import { MIGRATION_LOCK, openPostgresStore } from '../../../src/db/postgres/open.js';
import { migrationsBefore } from '../../helpers/earlier-migrations.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  requireTestDatabaseUrl,
  runOnServer,
  urlForDatabase,
} from '../../helpers/postgres.js';
import { describeWithServices } from '../../helpers/services.js';

// Needs no server: compares the schema with the newest migration's snapshot.
describe('PostgreSQL drizzle migrations', () => {
  it('cover the whole drizzle schema: no change is waiting for `npm run db:generate`', async () => {
    expect(await findPendingPostgresMigration()).toEqual([]);
  });
});

function migrationsInJournal(): number {
  const journal = new URL('../../../drizzle/postgres/meta/_journal.json', import.meta.url);
  return (JSON.parse(readFileSync(journal, 'utf8')) as { entries: unknown[] }).entries.length;
}

async function countAppliedMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      'select count(*) as count from drizzle.__drizzle_migrations',
    );
    return Number(result.rows[0]?.count);
  } finally {
    await client.end();
  }
}

describeWithServices(['postgres'], 'openPostgresStore', () => {
  // Skipped, this body still runs to collect the tests: the URL is read in hooks and tests.
  let server = '';
  const created: string[] = [];
  beforeAll(() => {
    server = requireTestDatabaseUrl();
  });
  afterAll(async () => {
    for (const name of created) {
      await runOnServer(server, `drop database if exists ${quoteIdentifier(name)} with (force)`);
    }
  });

  async function newDatabase(): Promise<string> {
    const name = randomDatabaseName('open');
    await runOnServer(server, `create database ${quoteIdentifier(name)}`);
    created.push(name);
    return urlForDatabase(server, name);
  }

  it('migrates a new database once when several instances start at the same moment', async () => {
    const url = await newDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(url)));
    await stores[0]?.users.insert({
      id: 'u',
      email: 'u@example.com',
      name: null,
      passwordHash: 'h',
      roles: ['USER'],
      createdAt: 1,
      emailVerified: false,
      disabledAt: null,
    });
    expect(await stores[2]?.users.findByEmail('u@example.com')).toMatchObject({ roles: ['USER'] });
    await Promise.all(stores.map((store) => store.close()));

    // Reopening applies nothing and keeps the data.
    const again = await openPostgresStore(url);
    expect(await again.users.list()).toHaveLength(1);
    await again.close();
    // Each migration is recorded once, though four stores opened the database.
    expect(await countAppliedMigrations(url)).toBe(migrationsInJournal());
  });

  it('0003_mfa_factors gives existing sessions a password-only assurance, authenticated at creation', async () => {
    const url = await newDatabase();
    const earlier = migrationsBefore('postgres', '0003_mfa_factors');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(drizzle({ client }), { migrationsFolder: earlier.folder });
      await client.query(`insert into users (id, email, password_hash, roles, created_at)
                            values ('u', 'u@example.com', 'h', '["USER"]', 1)`);
      await client.query(`insert into sessions (id, user_id, current_refresh_jti, rotated_at,
                            created_at, last_used_at, idle_expires_at, expires_at)
                            values ('s', 'u', 'j', 5, 5, 5, 9, 9)`);
    } finally {
      await client.end();
      earlier.remove();
    }
    const store = await openPostgresStore(url);
    expect(await store.sessions.findById('s')).toMatchObject({
      createdAt: 5,
      authTime: 5,
      assuranceLevel: 1,
      authMethods: ['pwd'],
      stepUpDeadline: null,
    });
    expect((await store.factors.standing('u')).totpFailures).toBe(0);
    await store.close();
    expect(await countAppliedMigrations(url)).toBe(migrationsInJournal());
  });

  it('answers ping while open and refuses it once closed', async () => {
    const store = await openPostgresStore(await newDatabase());
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it("reports the server's SQLSTATE through drizzle's error, as the retry logic expects", async () => {
    const store = await openPostgresStore(await newDatabase());
    const session: NewSession = {
      id: 's',
      userId: 'nobody',
      currentRefreshJti: 'j',
      rotatedAt: 1,
      createdAt: 1,
      lastUsedAt: 1,
      idleExpiresAt: 2,
      expiresAt: 2,
      userAgent: null,
      ip: null,
      restrictions: [],
      assuranceLevel: 1,
      authMethods: ['pwd'],
      authTime: 1,
      stepUpDeadline: null,
    };
    const error = await store.sessions.insert(session).catch((caught: unknown) => caught);
    expect(sqlState(error)).toBe('23503'); // foreign_key_violation: no such user
    await store.close();
  });

  it('fails to open, with the server error, when the database does not exist', async () => {
    const url = urlForDatabase(server, randomDatabaseName('missing'));
    await expect(openPostgresStore(url)).rejects.toThrow(/does not exist/);
  });

  /** A connection of the test's own to `url`, ended after the test. */
  async function connectAside(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  it("waits for another instance's migrations past the request bound", async () => {
    const url = await newDatabase();
    const other = await connectAside(url);
    await other.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const started = performance.now();
    const opening = openPostgresStore(url, { queryTimeoutMs: 200 });
    await sleep(1000);
    await other.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    const store = await opening;
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    await store.close();
    await other.end();
  });

  it('gives up waiting for the migrations after their own bound', async () => {
    const url = await newDatabase();
    const other = await connectAside(url);
    await other.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const started = performance.now();
    const error = await openPostgresStore(url, { migrationTimeoutMs: 500 }).catch(
      (caught: unknown) => caught,
    );
    expect(sqlState(error)).toBe('57014'); // query_canceled by statement_timeout
    expect(performance.now() - started).toBeLessThan(500 + 1000);
    await other.end();
  });

  it("purges the audit log under a bound of its own, longer than a request's", async () => {
    const url = await newDatabase();
    const store = await openPostgresStore(url, { queryTimeoutMs: 300 });
    const other = await connectAside(url);
    await other.query('begin');
    await other.query('lock table audit_events in access exclusive mode');
    const event = {
      type: 'SIGN_UP' as const,
      at: 1,
      userId: null,
      sessionId: null,
      actorId: null,
      ip: null,
      userAgent: null,
      detail: null,
      revokedSessions: 0,
    };
    const append = store.auditEvents.append(event).catch((caught: unknown) => caught);
    const purge = store.auditEvents.deleteOlderThan(2);
    // The request's write gives up at its bound; the purge waits on.
    expect(sqlState(await append)).toBe('57014');
    await sleep(700);
    await other.query('commit');
    await expect(purge).resolves.toBe(0);
    await store.close();
    await other.end();
  });
});
