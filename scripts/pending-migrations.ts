import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type DrizzleSnapshotJSON,
  type DrizzleSQLiteSnapshotJSON,
  generateDrizzleJson,
  generateMigration,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from 'drizzle-kit/api';
import * as postgresSchema from '../src/db/postgres/schema.js';
import * as sqliteSchema from '../src/db/sqlite/schema.js';

// Compares each drizzle schema in src/ with the snapshot of its newest generated migration and
// lists the SQL a new migration would need. Empty means drizzle/ is in sync with the code.

interface Journal {
  readonly entries: readonly { readonly idx: number; readonly tag: string }[];
}

export async function findPendingSqliteMigration(): Promise<string[]> {
  const previous = readNewestSnapshot<DrizzleSQLiteSnapshotJSON>('sqlite');
  const current = await generateSQLiteDrizzleJson({ ...sqliteSchema }, previous.id);
  return generateSQLiteMigration(previous, current);
}

export async function findPendingPostgresMigration(): Promise<string[]> {
  const previous = readNewestSnapshot<DrizzleSnapshotJSON>('postgres');
  const current = generateDrizzleJson({ ...postgresSchema }, previous.id);
  return generateMigration(previous, current);
}

function readNewestSnapshot<T>(dialect: 'sqlite' | 'postgres'): T {
  const folder = new URL(`../drizzle/${dialect}/`, import.meta.url);
  const journal = readJson<Journal>(new URL('meta/_journal.json', folder));
  const newest = journal.entries.at(-1);
  if (newest === undefined) {
    throw new Error(`drizzle/${dialect} has no migrations: run \`npm run db:generate\`.`);
  }
  const snapshotName = `meta/${String(newest.idx).padStart(4, '0')}_snapshot.json`;
  return readJson<T>(new URL(snapshotName, folder));
}

function readJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const checks = [
    ['sqlite', await findPendingSqliteMigration()],
    ['postgres', await findPendingPostgresMigration()],
  ] as const;
  let drifted = false;
  for (const [dialect, pending] of checks) {
    if (pending.length === 0) {
      process.stdout.write(`drizzle/${dialect} is in sync with src/db/${dialect}/schema.ts.\n`);
      continue;
    }
    drifted = true;
    process.stderr.write(
      `src/db/${dialect}/schema.ts has changes without a migration; run \`npm run db:generate\` and commit drizzle/:\n${pending.join('\n')}\n`,
    );
  }
  if (drifted) process.exit(1);
}
