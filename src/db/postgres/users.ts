import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { UserStore } from '../../auth/ports/store.js';
import { retryOnTransientConflict } from './conflicts.js';
import { sessions, users } from './schema.js';
import { isLiveAt } from './sessions.js';

export function createPostgresUserStore(db: NodePgDatabase): UserStore {
  const byId = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('user_by_id');
  const byEmail = db
    .select()
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .prepare('user_by_email');

  return {
    async insert(user) {
      // The unique index decides a taken email, so two racing sign-ups cannot both succeed.
      const [inserted] = await db
        .insert(users)
        .values({ ...user, roles: [...user.roles] })
        .onConflictDoNothing({ target: users.email })
        .returning();
      return inserted ?? null;
    },
    async findById(id) {
      const [user] = await byId.execute({ id });
      return user ?? null;
    },
    async findByEmail(email) {
      const [user] = await byEmail.execute({ email });
      return user ?? null;
    },
    async list() {
      return db.select().from(users).orderBy(asc(users.createdAt), asc(users.id));
    },
    async updatePasswordHash(id, expectedPasswordHash, passwordHash) {
      const updated = await db
        .update(users)
        .set({ passwordHash })
        .where(and(eq(users.id, id), eq(users.passwordHash, expectedPasswordHash)))
        .returning({ id: users.id });
      return updated.length === 1;
    },
    async setRoles(id, roles) {
      await db
        .update(users)
        .set({ roles: [...roles] })
        .where(eq(users.id, id));
    },
    async changePassword(change) {
      const { userId, keepSessionId, now } = change;
      return retryOnTransientConflict(() =>
        db.transaction(async (tx) => {
          // The user row first: it serialises concurrent changes of one user's password, and
          // the loser re-reads the committed hash, no longer the expected one, and writes nothing.
          const [updated] = await tx
            .update(users)
            .set({ passwordHash: change.passwordHash })
            .where(and(eq(users.id, userId), eq(users.passwordHash, change.expectedPasswordHash)))
            .returning({ id: users.id });
          if (updated === undefined) return null;
          const [kept] = await tx
            .update(sessions)
            .set({
              currentRefreshJti: change.nextRefreshJti,
              // No grace: the refresh token from before the change is reuse from now on.
              previousRefreshJti: null,
              rotatedAt: now,
              lastUsedAt: now,
              generation: sql`${sessions.generation} + 1`,
            })
            .where(and(eq(sessions.id, keepSessionId), eq(sessions.userId, userId), isLiveAt(now)))
            .returning();
          if (kept === undefined) {
            tx.rollback();
            return null;
          }
          const revoked = await tx
            .update(sessions)
            .set({ revokedAt: now, revokedReason: 'password_changed' })
            .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId), isLiveAt(now)))
            .returning({ id: sessions.id });
          return { session: kept, revokedSessions: revoked.length };
        }),
      );
    },
  };
}
