import { CommitOutcomeUnknownError } from '../../auth/ports/commit-outcome.js';

/**
 * SQLSTATEs after which running the whole transaction again is correct: a deadlock between two
 * transactions that lock the same rows in different orders (PostgreSQL aborts one of them), and
 * a serialization failure.
 */
const TRANSIENT_CONFLICTS = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/**
 * Runs a transaction, again if PostgreSQL aborted it for a transient conflict (nothing of an
 * aborted attempt was written), and resolves to what it returned. A transaction that decides to
 * write nothing says so in the value it returns (and has written nothing to roll back); every
 * other error, a rollback among them, is passed on as it is.
 */
export async function retryOnTransientConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      // A commit that may have happened must not happen twice.
      if (error instanceof CommitOutcomeUnknownError) throw error;
      if (attempt >= ATTEMPTS || !TRANSIENT_CONFLICTS.has(sqlState(error) ?? '')) throw error;
    }
  }
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
