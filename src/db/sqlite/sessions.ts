import { and, desc, eq, gt, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SessionRecord } from '../../auth/ports/records.js';
import type { SessionStore } from '../../auth/ports/store.js';
import { sessions } from './schema.js';

/** Neither revoked nor past either expiry at `now`. */
export function isLiveAt(now: number): SQL | undefined {
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.idleExpiresAt, now),
    gt(sessions.expiresAt, now),
  );
}

export function createSqliteSessionStore(db: BetterSQLite3Database): SessionStore {
  // Every protected request reads one session by id: keep that statement prepared.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();

  // Check and rotate in one conditional UPDATE: of any number of concurrent callers presenting
  // the same refresh token, exactly one matches `current_refresh_jti`. Prepared once: building
  // and compiling it per call cost about a quarter of a rotation's CPU time.
  const rotate = db
    .update(sessions)
    .set({
      previousRefreshJti: sql`${sql.placeholder('presentedJti')}`,
      currentRefreshJti: sql`${sql.placeholder('nextJti')}`,
      rotatedAt: sql`${sql.placeholder('now')}`,
      lastUsedAt: sql`${sql.placeholder('now')}`,
      idleExpiresAt: sql`min(${sql.placeholder('idleExpiresAt')}, ${sessions.expiresAt})`,
      generation: sql`${sessions.generation} + 1`,
    })
    .where(
      and(
        eq(sessions.id, sql.placeholder('sessionId')),
        eq(sessions.userId, sql.placeholder('userId')),
        eq(sessions.currentRefreshJti, sql.placeholder('presentedJti')),
        // isLiveAt(now), with `now` as a parameter of the prepared statement.
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, sql.placeholder('now')),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    )
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
      const { sessionId, userId, presentedJti, nextJti, now, idleTimeout } = rotation;
      const idleExpiresAt = now + idleTimeout;
      return rotate.get({ sessionId, userId, presentedJti, nextJti, now, idleExpiresAt }) ?? null;
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isLiveAt(now)))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt))
        .all();
    },
    async revoke(id, reason, now, userId) {
      const result = db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(
          and(
            eq(sessions.id, id),
            userId === undefined ? undefined : eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
          ),
        )
        .run();
      return result.changes === 1;
    },
    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      const result = db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(
          and(
            eq(sessions.userId, userId),
            isLiveAt(now),
            exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
          ),
        )
        .run();
      return result.changes;
    },
  };
}
