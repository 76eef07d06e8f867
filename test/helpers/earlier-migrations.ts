import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The migrations as they stood before one of them: what a database created by an earlier
// version holds, for tests of what that migration does to existing rows.

interface Journal {
  readonly entries: readonly { readonly tag: string }[];
}

export interface EarlierMigrations {
  /** A migrations folder that ends just before `tag`. */
  readonly folder: string;
  remove(): void;
}

export function migrationsBefore(dialect: 'sqlite' | 'postgres', tag: string): EarlierMigrations {
  const source = fileURLToPath(new URL(`../../drizzle/${dialect}`, import.meta.url));
  const folder = mkdtempSync(join(tmpdir(), `auth-migrations-${dialect}-`));
  cpSync(source, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const end = journal.entries.findIndex((entry) => entry.tag === tag);
  if (end < 0) throw new Error(`drizzle/${dialect} has no migration ${tag}.`);
  writeFileSync(
    journalPath,
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, end) }),
  );
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
