import { count, eq } from 'drizzle-orm';
import { confirmedFactorsOf } from '../factor-sql.js';
import type { PostgresTransaction as Tx } from './audited-write.js';
import { mfaFactors, recoveryCodes } from './schema.js';

// What the second-factor gate and the factor writes count, on the caller's transaction.

export async function countConfirmedFactors(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ count: count() })
    .from(mfaFactors)
    .where(confirmedFactorsOf(mfaFactors, userId));
  return row?.count ?? 0;
}

export async function countRecoveryCodes(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ count: count() })
    .from(recoveryCodes)
    .where(eq(recoveryCodes.userId, userId));
  return row?.count ?? 0;
}
