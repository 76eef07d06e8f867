import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type DrizzleSQLiteSnapshotJSON,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from 'drizzle-kit/api';
import * as sqliteSchema from '../src/db/sqlite/schema.js';

// Compares the drizzle schema in src/ with the snapshot of the newest generated migration and
// lists the SQL a new migration would need. Empty means drizzle/ is in sync with the code.

const MIGRATIONS = new URL('../drizzle/sqlite/', import.meta.url);

interface Journal {
  readonly entries: readonly { readonly idx: number; readonly tag: string }[];
}

export async function findPendingSqliteMigration(): Promise<string[]> {
  const journal = readJson<Journal>(new URL('meta/_journal.json', MIGRATIONS));
  const newest = journal.entries.at(-1);
  if (newest === undefined)
    throw new Error('drizzle/sqlite has no migrations: run `npm run db:generate`.');
  const snapshotName = `meta/${String(newest.idx).padStart(4, '0')}_snapshot.json`;
  const previous = readJson<DrizzleSQLiteSnapshotJSON>(new URL(snapshotName, MIGRATIONS));
  const current = await generateSQLiteDrizzleJson({ ...sqliteSchema }, previous.id);
  return generateSQLiteMigration(previous, current);
}

function readJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pending = await findPendingSqliteMigration();
  if (pending.length > 0) {
    process.stderr.write(
      `The drizzle schema has changes without a migration; run \`npm run db:generate\` and commit drizzle/:\n${pending.join('\n')}\n`,
    );
    process.exit(1);
  }
  process.stdout.write('drizzle/sqlite is in sync with src/db/sqlite/schema.ts.\n');
}
