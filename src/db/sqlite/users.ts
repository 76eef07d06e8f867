import { asc, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { NewUser, UserRecord } from '../../auth/ports/records.js';
import type { UserStore } from '../../auth/ports/store.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import { gateSession } from '../mfa-gate.js';
import { keptSession, keptSessionValues, userWithHash } from '../password-change-sql.js';
import { liveSessionsOfUser, sessionRow } from '../session-sql.js';
import { writeWithEvent } from './audited-write.js';
import { queue, storeLinks, voidResetLinks } from './link-writes.js';
import { sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

/**
 * Inserts the user unless the email is taken. ON CONFLICT DO NOTHING makes a taken email a
 * value, not an exception, and leaves the uniqueness decision to the database, so two racing
 * sign-ups cannot both succeed.
 */
function insertUser(tx: BetterSQLite3Database, user: NewUser): UserRecord | null {
  const inserted = tx
    .insert(users)
    .values({ ...user, roles: [...user.roles] })
    .onConflictDoNothing({ target: users.email })
    .returning()
    .get();
  return inserted ?? null;
}

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
    insert(user, event) {
      return writeWithEvent(db, event, (tx) => insertUser(tx, user), wroteWithoutRevoking);
    },
    insertWithSession(user, session, event, links) {
      const write = (tx: BetterSQLite3Database) => {
        const inserted = insertUser(tx, user);
        if (inserted === null) return null;
        storeLinks(tx, user.id, links?.tokens ?? []);
        queue(tx, links?.mails ?? []);
        return {
          user: inserted,
          // A new account has no factor yet; its roles may require enrolling one.
          session: tx
            .insert(sessions)
            .values(sessionRow(gateSession(session, 0, inserted.roles)))
            .returning()
            .get(),
        };
      };
      return writeWithEvent(db, event, write, wroteWithoutRevoking);
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
    async setRoles(id, roles, event) {
      const write = (tx: BetterSQLite3Database) => {
        tx.update(users)
          .set({ roles: [...roles] })
          .where(eq(users.id, id))
          .run();
      };
      // The event records the operator's decision, even for a user deleted meanwhile.
      await writeWithEvent(db, event, write, () => 0);
    },
    changePassword(change, event) {
      // The steps and their order: see password-change-sql.ts. IMMEDIATE takes the database's
      // write lock before the first read, as PostgreSQL locks the user row, so a second process
      // waits for it rather than reading a hash that is about to change.
      const { userId, keepSessionId, now } = change;
      return writeWithEvent(
        db,
        event,
        (tx) => {
          const user = tx
            .select({ id: users.id, email: users.email })
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
          voidResetLinks(tx, userId, user.email, now);
          const others = liveSessionsOfUser(sessions, userId, now, keepSessionId);
          const revokedSessions = revokeSessionsWhere(tx, others, 'password_changed', now);
          return { session: kept, revokedSessions };
        },
        (changed) => changed?.revokedSessions ?? null,
        { immediate: true },
      );
    },
  };
}
