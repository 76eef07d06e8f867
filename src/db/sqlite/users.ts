import { asc, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { UserRecord } from '../records.js';
import type { UserStore } from '../store.js';
import { users } from './schema.js';

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
    async updatePasswordHash(id, passwordHash) {
      db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
    },
    async setRoles(id, roles) {
      db.update(users)
        .set({ roles: [...roles] })
        .where(eq(users.id, id))
        .run();
    },
  };
}
