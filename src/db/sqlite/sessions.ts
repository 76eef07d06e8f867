import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SessionRecord, SessionRevocationReason } from '../../auth/ports/records.js';
import type { SessionStore } from '../../auth/ports/store.js';
import { revokedAny, wroteWithoutRevoking } from '../audited-write.js';
import { SQLITE_DIALECT } from '../dialects.js';
import { gateSession } from '../mfa-gate.js';
import {
  liveSessionsOfUser,
  revocation,
  revocationRecordsOf,
  rotationCondition,
  rotationParameters,
  rotationValues,
  sessionRow,
  unrevokedSession,
} from '../session-sql.js';
import { writeWithEvent } from './audited-write.js';
import { countConfirmedFactors } from './factor-counts.js';
import { revocations, sessions, users } from './schema.js';

/**
 * Revokes the sessions `condition` selects and writes their revocation records, on the caller's
 * transaction; returns how many.
 */
export function revokeSessionsWhere(
  db: Pick<BetterSQLite3Database, 'update' | 'insert'>,
  condition: SQL | undefined,
  reason: SessionRevocationReason,
  now: number,
): number {
  const ended = db
    .update(sessions)
    .set(revocation(reason, now))
    .where(condition)
    .returning(ENDED_SESSION)
    .all();
  if (ended.length > 0)
    db.insert(revocations)
      .values(revocationRecordsOf(ended, reason, now))
      .run();
  return ended.length;
}

const ENDED_SESSION = {
  id: sessions.id,
  userId: sessions.userId,
  idleExpiresAt: sessions.idleExpiresAt,
  expiresAt: sessions.expiresAt,
};

export function createSqliteSessionStore(db: BetterSQLite3Database): SessionStore {
  // Every protected request reads one session by id: keep that statement prepared.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  // `me` and the like: the session and its user in one statement (one read transaction).
  const withUserById = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();

  // Check and rotate in one conditional UPDATE (see rotationCondition). Prepared once: building
  // and compiling it per call cost about a quarter of a rotation's CPU time. It runs on the one
  // connection, so inside the transaction that appends the rotation's event.
  const rotate = db
    .update(sessions)
    .set(rotationValues(sessions, SQLITE_DIALECT))
    .where(rotationCondition(sessions))
    .returning()
    .prepare();

  return {
    insert(session, event) {
      const insert = (tx: BetterSQLite3Database) =>
        tx.insert(sessions).values(sessionRow(session)).returning().get();
      return writeWithEvent(db, event, insert, wroteWithoutRevoking);
    },
    start(session, event) {
      // One write transaction at a time: a disable is wholly before or after this one.
      const start = (tx: BetterSQLite3Database) => {
        const user = tx
          .select({ id: users.id, roles: users.roles })
          .from(users)
          .where(and(eq(users.id, session.userId), isNull(users.disabledAt)))
          .get();
        if (user === undefined) return null;
        // The second-factor gate, from what this transaction reads: see ../mfa-gate.ts.
        const gated = gateSession(session, countConfirmedFactors(tx, user.id), user.roles);
        return tx.insert(sessions).values(sessionRow(gated)).returning().get();
      };
      return writeWithEvent(db, event, start, wroteWithoutRevoking);
    },
    async findById(id): Promise<SessionRecord | null> {
      return byId.get({ id }) ?? null;
    },
    async findWithUser(id) {
      return withUserById.get({ id }) ?? null;
    },
    rotateRefreshToken(rotation, event) {
      const parameters = rotationParameters(rotation);
      const write = () => rotate.get(parameters) ?? null;
      return writeWithEvent(db, event, write, wroteWithoutRevoking);
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(liveSessionsOfUser(sessions, userId, now))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
        .all();
    },
    async revoke(id, reason, now, userId, event) {
      const one = unrevokedSession(sessions, id, userId);
      const write = (tx: BetterSQLite3Database) => revokeSessionsWhere(tx, one, reason, now);
      return (await writeWithEvent(db, event, write, revokedAny)) === 1;
    },
    revokeAllForUser(userId, reason, now, exceptSessionId, event) {
      const others = liveSessionsOfUser(sessions, userId, now, exceptSessionId);
      const write = (tx: BetterSQLite3Database) => revokeSessionsWhere(tx, others, reason, now);
      return writeWithEvent(db, event, write, revokedAny);
    },
  };
}
