import { type AnyColumn, and, eq, type SQL, sql } from 'drizzle-orm';
import type { PasswordChange } from '../auth/ports/store.js';
import { isLiveAt, type SessionColumns } from './session-sql.js';

// The conditions and values of a password change, the same SQL in either dialect. Both stores
// take the same steps in the same order, in one transaction:
//  1. lock the user row while its hash is still the expected one (none: write nothing);
//  2. give the kept session its new refresh token while it is live (none: write nothing);
//  3. replace the hash;
//  4. revoke the user's other live sessions.
// The user row first: it serialises concurrent changes of one user's password, and the loser
// re-reads the committed hash, no longer the expected one. Every write comes after both checks,
// so "nothing written" needs no rollback.

/** The users table's columns these statements read, in either dialect. */
export interface UserColumns {
  readonly id: AnyColumn;
  readonly passwordHash: AnyColumn;
}

/** The user `id` while its hash is still `passwordHash`. */
export function userWithHash(
  columns: UserColumns,
  id: string,
  passwordHash: string,
): SQL | undefined {
  return and(eq(columns.id, id), eq(columns.passwordHash, passwordHash));
}

/** The session a password change keeps: the user's, and live at the change. */
export function keptSession(columns: SessionColumns, change: PasswordChange): SQL | undefined {
  return and(
    eq(columns.id, change.keepSessionId),
    eq(columns.userId, change.userId),
    isLiveAt(columns, change.now),
  );
}

/** What the kept session gets: the next refresh token, and no grace for the one before. */
export function keptSessionValues(
  columns: SessionColumns,
  change: PasswordChange,
): {
  currentRefreshJti: string;
  previousRefreshJti: null;
  rotatedAt: number;
  lastUsedAt: number;
  generation: SQL;
} {
  return {
    currentRefreshJti: change.nextRefreshJti,
    // No grace: the refresh token from before the change is reuse from now on.
    previousRefreshJti: null,
    rotatedAt: change.now,
    lastUsedAt: change.now,
    generation: sql`${columns.generation} + 1`,
  };
}
