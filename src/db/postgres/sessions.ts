import { desc, eq, type SQL, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { SessionRevocationReason } from '../../auth/ports/records.js';
import type { SessionStore } from '../../auth/ports/store.js';
import { POSTGRES_DIALECT } from '../dialects.js';
import {
  liveSessionsOfUser,
  revocation,
  rotationCondition,
  rotationParameters,
  rotationValues,
  unrevokedSession,
} from '../session-sql.js';
import { retryOnTransientConflict } from './conflicts.js';
import { sessions } from './schema.js';

/** Revokes the sessions `condition` selects; returns how many. */
export async function revokeSessionsWhere(
  db: Pick<NodePgDatabase, 'update'>,
  condition: SQL | undefined,
  reason: SessionRevocationReason,
  now: number,
): Promise<number> {
  const revoked = await db
    .update(sessions)
    .set(revocation(reason, now))
    .where(condition)
    .returning({ id: sessions.id });
  return revoked.length;
}

export function createPostgresSessionStore(db: NodePgDatabase): SessionStore {
  // Every protected request without a liveness cache reads one session by id.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('session_by_id');

  // Check and rotate in one conditional UPDATE (see rotationCondition). Under READ COMMITTED a
  // concurrent caller with the same refresh token waits for the first one's row lock, then
  // re-checks the WHERE clause against the committed row, where `current_refresh_jti` has moved
  // on: exactly one wins.
  const rotate = db
    .update(sessions)
    .set(rotationValues(sessions, POSTGRES_DIALECT))
    .where(rotationCondition(sessions))
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
      const [rotated] = await rotate.execute(rotationParameters(rotation));
      return rotated ?? null;
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(liveSessionsOfUser(sessions, userId, now))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt));
    },
    async revoke(id, reason, now, userId) {
      return (
        (await revokeSessionsWhere(db, unrevokedSession(sessions, id, userId), reason, now)) === 1
      );
    },
    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      const others = liveSessionsOfUser(sessions, userId, now, exceptSessionId);
      // It locks several rows in no fixed order, so it can deadlock with a password change
      // locking the same user's sessions; PostgreSQL then aborts one, and this one runs again.
      return retryOnTransientConflict(() => revokeSessionsWhere(db, others, reason, now));
    },
  };
}
