import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { SigningKeyStore } from '../../auth/ports/store.js';
import { retryOnTransientConflict } from './conflicts.js';
import { signingKeys } from './schema.js';

/** Any fixed number: the transaction-scoped advisory lock that serialises key rotations. */
const KEY_ROTATION_LOCK = 0x6b657973; // "keys"

type Queryable = Pick<NodePgDatabase, 'update'>;

function retireExpiredKeys(db: Queryable, cutoff: number, now: number): Promise<string[]> {
  return db
    .update(signingKeys)
    .set({ status: 'retired', retiredAt: now })
    .where(and(eq(signingKeys.status, 'retiring'), lte(signingKeys.retiringSince, cutoff)))
    .returning({ kid: signingKeys.kid })
    .then((rows) => rows.map((row) => row.kid));
}

export function createPostgresSigningKeyStore(db: NodePgDatabase): SigningKeyStore {
  return {
    async listVerifying() {
      return db
        .select()
        .from(signingKeys)
        .where(inArray(signingKeys.status, ['active', 'retiring']));
    },
    async list() {
      return db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt));
    },
    async activateIfNoneActive(candidate) {
      // The partial unique index on status = 'active' turns a second active key into a
      // conflict (a racing insert waits for the first to commit), so instances starting on one
      // new database agree on a single key.
      await db.insert(signingKeys).values(candidate).onConflictDoNothing();
      const [active] = await db.select().from(signingKeys).where(eq(signingKeys.status, 'active'));
      if (active === undefined) throw new Error('No active signing key after activation.');
      return active;
    },
    async rotate(candidate, now, retireRetiringSince) {
      return retryOnTransientConflict(() =>
        db.transaction(async (tx) => {
          // Two rotations at once would each demote the key they saw; taking turns keeps one
          // active key and one demotion per rotation.
          await tx.execute(sql`select pg_advisory_xact_lock(${KEY_ROTATION_LOCK})`);
          const retired = await retireExpiredKeys(tx, retireRetiringSince, now);
          const [demoted] = await tx
            .update(signingKeys)
            .set({ status: 'retiring', retiringSince: now })
            .where(eq(signingKeys.status, 'active'))
            .returning();
          const [activated] = await tx
            .insert(signingKeys)
            .values({ ...candidate, status: 'active', retiringSince: null, retiredAt: null })
            .returning();
          if (activated === undefined) throw new Error('INSERT … RETURNING returned no key.');
          return { activated, demoted: demoted ?? null, retired };
        }),
      );
    },
    async retireExpired(retireRetiringSince, now) {
      return retireExpiredKeys(db, retireRetiringSince, now);
    },
  };
}
