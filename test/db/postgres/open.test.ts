import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPendingPostgresMigration } from '../../../scripts/pending-migrations.js';
import { sqlState } from '../../../src/db/postgres/conflicts.js';
import { openPostgresStore } from '../../../src/db/postgres/open.js';
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

  it('answers ping while open and refuses it once closed', async () => {
    const store = await openPostgresStore(await newDatabase());
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it("reports the server's SQLSTATE through drizzle's error, as the retry logic expects", async () => {
    const store = await openPostgresStore(await newDatabase());
    const session = {
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
    };
    const error = await store.sessions.insert(session).catch((caught: unknown) => caught);
    expect(sqlState(error)).toBe('23503'); // foreign_key_violation: no such user
    await store.close();
  });

  it('fails to open, with the server error, when the database does not exist', async () => {
    const url = urlForDatabase(server, randomDatabaseName('missing'));
    await expect(openPostgresStore(url)).rejects.toThrow(/does not exist/);
  });
});
