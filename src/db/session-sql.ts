import {
  type AnyColumn,
  and,
  eq,
  gt,
  isNull,
  ne,
  type Placeholder,
  type SQL,
  sql,
} from 'drizzle-orm';
import type {
  AuthMethod,
  NewSession,
  SessionRestriction,
  SessionRevocationReason,
} from '../auth/ports/records.js';
import type { RefreshRotation } from '../auth/ports/store.js';
import type { SqlDialect } from './dialects.js';

// The conditions and values of the session statements, the same SQL in either dialect.

/** The sessions table's columns these statements read or write, in either dialect. */
export interface SessionColumns {
  readonly id: AnyColumn;
  readonly userId: AnyColumn;
  readonly currentRefreshJti: AnyColumn;
  readonly generation: AnyColumn;
  readonly idleExpiresAt: AnyColumn;
  readonly expiresAt: AnyColumn;
  readonly revokedAt: AnyColumn;
  readonly stepUpDeadline: AnyColumn;
}

/** Neither revoked nor past either expiry at `now`, a value or a prepared statement's parameter. */
export function isLiveAt(columns: SessionColumns, now: number | Placeholder): SQL | undefined {
  return and(isNull(columns.revokedAt), gt(columns.idleExpiresAt, now), gt(columns.expiresAt, now));
}

/** The user's sessions live at `now`, but for `exceptSessionId` when it is given. */
export function liveSessionsOfUser(
  columns: SessionColumns,
  userId: string,
  now: number,
  exceptSessionId?: string,
): SQL | undefined {
  return and(
    eq(columns.userId, userId),
    isLiveAt(columns, now),
    exceptSessionId === undefined ? undefined : ne(columns.id, exceptSessionId),
  );
}

/** The session `id` while it is not revoked, and only if it is `userId`'s when that is given. */
export function unrevokedSession(
  columns: SessionColumns,
  id: string,
  userId?: string,
): SQL | undefined {
  return and(
    eq(columns.id, id),
    userId === undefined ? undefined : eq(columns.userId, userId),
    isNull(columns.revokedAt),
  );
}

/** What a revocation writes. */
export function revocation(
  reason: SessionRevocationReason,
  now: number,
): { revokedAt: number; revokedReason: SessionRevocationReason } {
  return { revokedAt: now, revokedReason: reason };
}

/** What a revocation reads back of each session it ended. */
export interface EndedSession {
  readonly id: string;
  readonly userId: string;
  readonly idleExpiresAt: number;
  readonly expiresAt: number;
}

/** The revocation records of the sessions one revocation ended, written in its transaction. */
export function revocationRecordsOf(
  ended: readonly EndedSession[],
  reason: SessionRevocationReason,
  now: number,
): {
  sessionId: string;
  userId: string;
  reason: SessionRevocationReason;
  endedAt: number;
  sessionExpiresAt: number;
}[] {
  return ended.map((session) => ({
    sessionId: session.id,
    userId: session.userId,
    reason,
    endedAt: now,
    sessionExpiresAt: Math.min(session.idleExpiresAt, session.expiresAt),
  }));
}

/** The parameters of the prepared rotation statement. */
export type RotationParameters = {
  readonly sessionId: string;
  readonly userId: string;
  readonly presentedJti: string;
  readonly nextJti: string;
  readonly now: number;
  /** Before the cap at the session's absolute expiry, which the statement applies. */
  readonly idleExpiresAt: number;
};

export function rotationParameters(rotation: RefreshRotation): RotationParameters {
  const { sessionId, userId, presentedJti, nextJti, now, idleTimeout } = rotation;
  return { sessionId, userId, presentedJti, nextJti, now, idleExpiresAt: now + idleTimeout };
}

function parameter(name: keyof RotationParameters): Placeholder {
  return sql.placeholder(name);
}

/**
 * What a rotation writes: the presented jti becomes the previous one (the reuse grace), the
 * next one current, and the idle expiry moves on, capped at the absolute expiry and at the
 * step-up deadline: refreshing a session that has yet to prove its second factor must not
 * keep it alive past the time it was given to do so.
 */
export function rotationValues(
  columns: SessionColumns,
  dialect: SqlDialect,
): Record<
  | 'previousRefreshJti'
  | 'currentRefreshJti'
  | 'rotatedAt'
  | 'lastUsedAt'
  | 'idleExpiresAt'
  | 'generation',
  SQL
> {
  return {
    previousRefreshJti: sql`${parameter('presentedJti')}`,
    currentRefreshJti: sql`${parameter('nextJti')}`,
    rotatedAt: sql`${parameter('now')}`,
    lastUsedAt: sql`${parameter('now')}`,
    idleExpiresAt: dialect.least(
      parameter('idleExpiresAt'),
      dialect.least(
        columns.expiresAt,
        sql`coalesce(${columns.stepUpDeadline}, ${columns.expiresAt})`,
      ),
    ),
    generation: sql`${columns.generation} + 1`,
  };
}

/**
 * Which session a rotation may write: the user's, live at `now`, and only while the presented
 * jti is still the current one, so of any number of concurrent callers presenting the same
 * refresh token exactly one matches.
 */
export function rotationCondition(columns: SessionColumns): SQL | undefined {
  return and(
    eq(columns.id, parameter('sessionId')),
    eq(columns.userId, parameter('userId')),
    eq(columns.currentRefreshJti, parameter('presentedJti')),
    isLiveAt(columns, parameter('now')),
  );
}

/**
 * A new session as its row: the arrays copied, since the record's are read-only, and without
 * its `mfaGate`, which the store applies before the insert (see ./mfa-gate.ts) and never stores.
 */
export function sessionRow(session: NewSession): SessionRow {
  const { mfaGate: _mfaGate, restrictions, authMethods, ...row } = session;
  return { ...row, restrictions: [...restrictions], authMethods: [...authMethods] };
}

/** A session as its INSERT writes it. */
export type SessionRow = Omit<NewSession, 'restrictions' | 'authMethods' | 'mfaGate'> & {
  restrictions: SessionRestriction[];
  authMethods: AuthMethod[];
};
