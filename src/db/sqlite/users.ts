import { asc, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { UserRecord } from '../../auth/ports/records.js';
import type { UserStore } from '../../auth/ports/store.js';
import { keptSession, keptSessionValues, userWithHash } from '../password-change-sql.js';
import { liveSessionsOfUser } from '../session-sql.js';
import { sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

export function createSqliteUserStore(db: BetterSQLite3Database): UserStore {
  const byId = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const byEmail = db
    .select()
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .prepare();

  return {
    async insert(user) {
      // ON CONFLICT DO NOTHING makes a taken email a value, not an exception, and leaves the
      // uniqueness decision to the database, so two racing sign-ups cannot both succeed.
      const inserted = db
        .insert(users)
        .values({ ...user, roles: [...user.roles] })
        .onConflictDoNothing({ target: users.email })
        .returning()
        .get();
      return inserted ?? null;
    },
    async findById(id): Promise<UserRecord | null> {
      return byId.get({ id }) ?? null;
    },
    async findByEmail(email): Promise<UserRecord | null> {
      return byEmail.get({ email }) ?? null;
    },
    async list() {
      return db.select().from(users).orderBy(asc(users.createdAt), asc(users.id)).all();
    },
    async updatePasswordHash(id, expectedPasswordHash, passwordHash) {
      const result = db
        .update(users)
        .set({ passwordHash })
        .where(userWithHash(users, id, expectedPasswordHash))
        .run();
      return result.changes === 1;
    },
    async setRoles(id, roles) {
      db.update(users)
        .set({ roles: [...roles] })
        .where(eq(users.id, id))
        .run();
    },
    async changePassword(change) {
      // The steps and their order: see password-change-sql.ts. IMMEDIATE takes the database's
      // write lock before the first read, as PostgreSQL locks the user row, so a second process
      // waits for it rather than reading a hash that is about to change.
      const { userId, keepSessionId, now } = change;
      return db.transaction(
        (tx) => {
          const user = tx
            .select({ id: users.id })
            .from(users)
            .where(userWithHash(users, userId, change.expectedPasswordHash))
            .get();
          if (user === undefined) return null;
          const kept = tx
            .update(sessions)
            .set(keptSessionValues(sessions, change))
            .where(keptSession(sessions, change))
            .returning()
            .get();
          if (kept === undefined) return null;
          tx.update(users)
            .set({ passwordHash: change.passwordHash })
            .where(eq(users.id, userId))
            .run();
          const others = liveSessionsOfUser(sessions, userId, now, keepSessionId);
          const revokedSessions = revokeSessionsWhere(tx, others, 'password_changed', now);
          return { session: kept, revokedSessions };
        },
        { behavior: 'immediate' },
      );
    },
  };
}
