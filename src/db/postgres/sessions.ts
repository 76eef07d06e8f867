import { and, desc, eq, gt, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { SessionStore } from '../../auth/ports/store.js';
import { retryOnTransientConflict } from './conflicts.js';
import { sessions } from './schema.js';

/** Neither revoked nor past either expiry at `now`. */
export function isLiveAt(now: number): SQL | undefined {
  return and(
    isNull(sessions.revokedAt),
    gt(sessions.idleExpiresAt, now),
    gt(sessions.expiresAt, now),
  );
}

export function createPostgresSessionStore(db: NodePgDatabase): SessionStore {
  // Every protected request without a liveness cache reads one session by id.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('session_by_id');

  // Check and rotate in one conditional UPDATE. Under READ COMMITTED a concurrent caller with
  // the same refresh token waits for the first one's row lock, then re-checks the WHERE clause
  // against the committed row, where `current_refresh_jti` has moved on: exactly one wins.
  const rotate = db
    .update(sessions)
    .set({
      previousRefreshJti: sql`${sql.placeholder('presentedJti')}`,
      currentRefreshJti: sql`${sql.placeholder('nextJti')}`,
      rotatedAt: sql`${sql.placeholder('now')}`,
      lastUsedAt: sql`${sql.placeholder('now')}`,
      idleExpiresAt: sql`least(${sql.placeholder('idleExpiresAt')}, ${sessions.expiresAt})`,
      generation: sql`${sessions.generation} + 1`,
    })
    .where(
      and(
        eq(sessions.id, sql.placeholder('sessionId')),
        eq(sessions.userId, sql.placeholder('userId')),
        eq(sessions.currentRefreshJti, sql.placeholder('presentedJti')),
        isNull(sessions.revokedAt),
        gt(sessions.idleExpiresAt, sql.placeholder('now')),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    )
    .returning()
    .prepare('rotate_refresh_token');

  return {
    async insert(session) {
      const [inserted] = await db.insert(sessions).values(session).returning();
      if (inserted === undefined) throw new Error('INSERT … RETURNING returned no session.');
      return inserted;
    },
    async findById(id) {
      const [session] = await byId.execute({ id });
      return session ?? null;
    },
    async rotateRefreshToken(rotation) {
      const { sessionId, userId, presentedJti, nextJti, now, idleTimeout } = rotation;
      const idleExpiresAt = now + idleTimeout;
      const [rotated] = await rotate.execute({
        sessionId,
        userId,
        presentedJti,
        nextJti,
        now,
        idleExpiresAt,
      });
      return rotated ?? null;
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isLiveAt(now)))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt));
    },
    async revoke(id, reason, now, userId) {
      const revoked = await db
        .update(sessions)
        .set({ revokedAt: now, revokedReason: reason })
        .where(
          and(
            eq(sessions.id, id),
            userId === undefined ? undefined : eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
          ),
        )
        .returning({ id: sessions.id });
      return revoked.length === 1;
    },
    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      // It locks several rows in no fixed order, so it can deadlock with a password change
      // locking the same user's sessions; PostgreSQL then aborts one, and this one runs again.
      const revoked = await retryOnTransientConflict(async () => {
        const result = await db
          .update(sessions)
          .set({ revokedAt: now, revokedReason: reason })
          .where(
            and(
              eq(sessions.userId, userId),
              isLiveAt(now),
              exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
            ),
          );
        return result.rowCount ?? 0;
      });
      return revoked ?? 0;
    },
  };
}
