import { desc, eq, type SQL, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SessionRecord, SessionRevocationReason } from '../../auth/ports/records.js';
import type { SessionStore } from '../../auth/ports/store.js';
import { SQLITE_DIALECT } from '../dialects.js';
import {
  liveSessionsOfUser,
  revocation,
  rotationCondition,
  rotationParameters,
  rotationValues,
  unrevokedSession,
} from '../session-sql.js';
import { sessions } from './schema.js';

/** Revokes the sessions `condition` selects; returns how many. */
export function revokeSessionsWhere(
  db: Pick<BetterSQLite3Database, 'update'>,
  condition: SQL | undefined,
  reason: SessionRevocationReason,
  now: number,
): number {
  return db.update(sessions).set(revocation(reason, now)).where(condition).run().changes;
}

export function createSqliteSessionStore(db: BetterSQLite3Database): SessionStore {
  // Every protected request reads one session by id: keep that statement prepared.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();

  // Check and rotate in one conditional UPDATE (see rotationCondition). Prepared once: building
  // and compiling it per call cost about a quarter of a rotation's CPU time.
  const rotate = db
    .update(sessions)
    .set(rotationValues(sessions, SQLITE_DIALECT))
    .where(rotationCondition(sessions))
    .returning()
    .prepare();

  return {
    async insert(session) {
      return db.insert(sessions).values(session).returning().get();
    },
    async findById(id): Promise<SessionRecord | null> {
      return byId.get({ id }) ?? null;
    },
    async rotateRefreshToken(rotation) {
      return rotate.get(rotationParameters(rotation)) ?? null;
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(liveSessionsOfUser(sessions, userId, now))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
        .all();
    },
    async revoke(id, reason, now, userId) {
      return revokeSessionsWhere(db, unrevokedSession(sessions, id, userId), reason, now) === 1;
    },
    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      const others = liveSessionsOfUser(sessions, userId, now, exceptSessionId);
      return revokeSessionsWhere(db, others, reason, now);
    },
  };
}
