import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SigningKeyStore } from '../../auth/ports/store.js';
import { signingKeys } from './schema.js';

export function createSqliteSigningKeyStore(db: BetterSQLite3Database): SigningKeyStore {
  function findActiveNow() {
    return db.select().from(signingKeys).where(eq(signingKeys.status, 'active')).get() ?? null;
  }

  function retireExpiredNow(tx: BetterSQLite3Database, cutoff: number, now: number): string[] {
    return tx
      .update(signingKeys)
      .set({ status: 'retired', retiredAt: now })
      .where(and(eq(signingKeys.status, 'retiring'), lte(signingKeys.retiringSince, cutoff)))
      .returning({ kid: signingKeys.kid })
      .all()
      .map((row) => row.kid);
  }

  return {
    async listVerifying() {
      return db
        .select()
        .from(signingKeys)
        .where(inArray(signingKeys.status, ['active', 'retiring']))
        .all();
    },
    async list() {
      return db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt)).all();
    },
    async activateIfNoneActive(candidate) {
      // The partial unique index on status = 'active' turns a second active key into a
      // conflict, so two processes starting on one new database agree on a single key.
      db.insert(signingKeys).values(candidate).onConflictDoNothing().run();
      const active = findActiveNow();
      if (active === null) throw new Error('No active signing key after activation.');
      return active;
    },
    async rotate(candidate, now, retireRetiringSince) {
      // Synchronous transaction: no other writer can slip between the demotion and the insert,
      // and the partial unique index still guarantees a single active key.
      return db.transaction((tx) => {
        const retired = retireExpiredNow(tx, retireRetiringSince, now);
        const demoted =
          tx
            .update(signingKeys)
            .set({ status: 'retiring', retiringSince: now })
            .where(eq(signingKeys.status, 'active'))
            .returning()
            .get() ?? null;
        const activated = tx
          .insert(signingKeys)
          .values({ ...candidate, status: 'active', retiringSince: null, retiredAt: null })
          .returning()
          .get();
        return { activated, demoted, retired };
      });
    },
    async retireExpired(retireRetiringSince, now) {
      return retireExpiredNow(db, retireRetiringSince, now);
    },
  };
}
