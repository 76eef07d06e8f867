import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { findPendingSqliteMigration } from '../../../scripts/pending-migrations.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import { migrationsBefore } from '../../helpers/earlier-migrations.js';

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

  it('0005_mfa_factors gives existing sessions a password-only assurance, authenticated at creation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-migrations-'));
    const path = join(dir, 'auth.db');
    const earlier = migrationsBefore('sqlite', '0005_mfa_factors');
    try {
      const old = new Database(path);
      migrate(drizzle({ client: old }), { migrationsFolder: earlier.folder });
      old.exec(`insert into users (id, email, password_hash, roles, created_at)
                  values ('u', 'u@example.com', 'h', '["USER"]', 1)`);
      old.exec(`insert into sessions (id, user_id, current_refresh_jti, rotated_at, created_at,
                  last_used_at, idle_expires_at, expires_at) values ('s', 'u', 'j', 5, 5, 5, 9, 9)`);
      old.close();
      const store = openSqliteStore(path);
      expect(await store.sessions.findById('s')).toMatchObject({
        createdAt: 5,
        authTime: 5,
        assuranceLevel: 1,
        authMethods: ['pwd'],
        stepUpDeadline: null,
      });
      expect(await store.factors.standing('u')).toEqual({
        confirmedFactors: 0,
        recoveryCodesRemaining: 0,
        totpFailures: 0,
        totpLockedAt: null,
      });
      await store.close();
    } finally {
      earlier.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
