import { asc, eq, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { UserStore } from '../../auth/ports/store.js';
import { keptSession, keptSessionValues, userWithHash } from '../password-change-sql.js';
import { liveSessionsOfUser } from '../session-sql.js';
import { retryOnTransientConflict } from './conflicts.js';
import { sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

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
        .where(userWithHash(users, id, expectedPasswordHash))
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
      // The steps and their order: see password-change-sql.ts.
      const { userId, keepSessionId, now } = change;
      return retryOnTransientConflict(() =>
        db.transaction(async (tx) => {
          // FOR NO KEY UPDATE: the lock the UPDATE of the hash takes anyway, so sign-ins of the
          // same user (whose new session rows only key-share the user row) do not wait for it.
          const [user] = await tx
            .select({ id: users.id })
            .from(users)
            .where(userWithHash(users, userId, change.expectedPasswordHash))
            .for('no key update');
          if (user === undefined) return null;
          const [kept] = await tx
            .update(sessions)
            .set(keptSessionValues(sessions, change))
            .where(keptSession(sessions, change))
            .returning();
          if (kept === undefined) return null;
          await tx
            .update(users)
            .set({ passwordHash: change.passwordHash })
            .where(eq(users.id, userId));
          const others = liveSessionsOfUser(sessions, userId, now, keepSessionId);
          const revokedSessions = await revokeSessionsWhere(tx, others, 'password_changed', now);
          return { session: kept, revokedSessions };
        }),
      );
    },
  };
}
