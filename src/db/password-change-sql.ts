import { type AnyColumn, and, eq, type SQL, sql } from 'drizzle-orm';
import type { PasswordChange } from '../auth/ports/store.js';
import { isLiveAt, type SessionColumns } from './session-sql.js';

// The conditions and values of a password change, the same SQL in either dialect.

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
