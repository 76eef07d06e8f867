import { count, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { confirmedFactorsOf } from '../factor-sql.js';
import { mfaFactors, recoveryCodes } from './schema.js';

// What the second-factor gate and the factor writes count, on the caller's transaction.

export function countConfirmedFactors(tx: BetterSQLite3Database, userId: string): number {
  const [row] = tx
    .select({ count: count() })
    .from(mfaFactors)
    .where(confirmedFactorsOf(mfaFactors, userId))
    .all();
  return row?.count ?? 0;
}

export function countRecoveryCodes(tx: BetterSQLite3Database, userId: string): number {
  const [row] = tx
    .select({ count: count() })
    .from(recoveryCodes)
    .where(eq(recoveryCodes.userId, userId))
    .all();
  return row?.count ?? 0;
}
