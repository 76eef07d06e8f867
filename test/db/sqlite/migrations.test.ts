import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPendingSqliteMigration } from '../../../scripts/pending-migrations.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';

describe('SQLite drizzle migrations', () => {
  it('cover the whole drizzle schema: no change is waiting for `npm run db:generate`', async () => {
    expect(await findPendingSqliteMigration()).toEqual([]);
  });

  it('create the folder, apply to a new database file, and reapply as a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-migrations-'));
    const path = join(dir, 'nested', 'auth.db');
    try {
      const first = openSqliteStore(path);
      await first.users.insert({
        id: 'u',
        email: 'u@example.com',
        name: null,
        passwordHash: 'h',
        roles: ['USER'],
        createdAt: 1,
        emailVerified: false,
        disabledAt: null,
      });
      await first.close();
      const second = openSqliteStore(path);
      expect(await second.users.findByEmail('u@example.com')).toMatchObject({
        id: 'u',
        roles: ['USER'],
      });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
