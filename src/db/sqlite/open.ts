import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Store } from '../../auth/ports/store.js';
import { createSqliteAccountStore } from './accounts.js';
import { createSqliteAuditEventStore } from './audit-events.js';
import { createSqliteFactorStore } from './factors.js';
import { createSqliteOutboxStore } from './outbox.js';
import { createSqlitePasskeyStore } from './passkeys.js';
import { createSqliteRevocationStore } from './revocations.js';
import { createSqliteSessionStore } from './sessions.js';
import { createSqliteSigningKeyStore } from './signing-keys.js';
import { createSqliteUserStore } from './users.js';

/** The generated migrations; the same relative path from `src/` and from the built `dist/`. */
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

/**
 * Opens (creating if needed) the SQLite database at `path`, applies pending migrations and
 * returns the store. `:memory:` gives a private database that disappears on close.
 */
export function openSqliteStore(path: string): Store {
  return createSqliteStore(openSqliteDatabase(path));
}

/** Opens (creating if needed) the SQLite database at `path` and applies pending migrations. */
export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  if (path !== ':memory:') {
    // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  migrate(drizzle({ client: sqlite }), { migrationsFolder: MIGRATIONS_FOLDER });
  return sqlite;
}

/** The store on an open, migrated database; closing the store closes the database. */
export function createSqliteStore(sqlite: Database.Database): Store {
  const db = drizzle({ client: sqlite });
  const select1 = sqlite.prepare('SELECT 1');
  return {
    users: createSqliteUserStore(db),
    sessions: createSqliteSessionStore(db),
    signingKeys: createSqliteSigningKeyStore(db),
    auditEvents: createSqliteAuditEventStore(db),
    revocations: createSqliteRevocationStore(db),
    accounts: createSqliteAccountStore(db),
    outbox: createSqliteOutboxStore(db),
    factors: createSqliteFactorStore(db),
    passkeys: createSqlitePasskeyStore(db),
    async ping() {
      // Throws once the connection is closed, so readiness goes down with the store.
      select1.get();
    },
    async close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
