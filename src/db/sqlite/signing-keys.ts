import { eq, inArray } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SigningKeyStore } from '../store.js';
import { signingKeys } from './schema.js';

export function createSqliteSigningKeyStore(db: BetterSQLite3Database): SigningKeyStore {
  async function findActive() {
    return db.select().from(signingKeys).where(eq(signingKeys.status, 'active')).get() ?? null;
  }

  return {
    findActive,
    async listVerifying() {
      return db
        .select()
        .from(signingKeys)
        .where(inArray(signingKeys.status, ['active', 'retiring']))
        .all();
    },
    async activateIfNoneActive(candidate) {
      // The partial unique index on status = 'active' turns a second active key into a
      // conflict, so two processes starting on one new database agree on a single key.
      db.insert(signingKeys).values(candidate).onConflictDoNothing().run();
      const active = await findActive();
      if (active === null) throw new Error('No active signing key after activation.');
      return active;
    },
  };
}
