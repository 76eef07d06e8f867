import { asc, eq, sql } from 'drizzle-orm';
import type { NewUser, UserRecord } from '../../auth/ports/records.js';
import type { PasswordChangeResult, UserStore } from '../../auth/ports/store.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import { gateSession } from '../mfa-gate.js';
import { keptSession, keptSessionValues, userWithHash } from '../password-change-sql.js';
import { liveSessionsOfUser, sessionRow } from '../session-sql.js';
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction,
} from './audited-write.js';
import { retryOnTransientConflict } from './conflicts.js';
import { queue, storeLinks, voidResetLinks } from './link-writes.js';
import { sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

/**
 * Inserts the user unless the email is taken. The unique index decides a taken email, so two
 * racing sign-ups cannot both succeed.
 */
async function insertUser(tx: PostgresTransaction, user: NewUser): Promise<UserRecord | null> {
  const [inserted] = await tx
    .insert(users)
    .values({ ...user, roles: [...user.roles] })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return inserted ?? null;
}

export function createPostgresUserStore(db: PostgresDatabase): UserStore {
  const { writeWithEvent } = createPostgresWriter(db);
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
    insert(user, event) {
      return writeWithEvent(event, (tx) => insertUser(tx, user), wroteWithoutRevoking);
    },
    insertWithSession(user, session, event, links) {
      const write = async (tx: PostgresTransaction) => {
        const inserted = await insertUser(tx, user);
        if (inserted === null) return null;
        await storeLinks(tx, user.id, links?.tokens ?? []);
        await queue(tx, links?.mails ?? []);
        // A new account has no factor yet; its roles may require enrolling one.
        const gated = gateSession(session, 0, inserted.roles);
        const [started] = await tx.insert(sessions).values(sessionRow(gated)).returning();
        if (started === undefined) throw new Error('INSERT … RETURNING returned no session.');
        return { user: inserted, session: started };
      };
      return writeWithEvent(event, write, wroteWithoutRevoking);
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
    async setRoles(id, roles, event) {
      const write = async (tx: PostgresTransaction) => {
        await tx
          .update(users)
          .set({ roles: [...roles] })
          .where(eq(users.id, id));
      };
      // The event records the operator's decision, even for a user deleted meanwhile.
      await writeWithEvent(event, write, () => 0);
    },
    changePassword(change, event) {
      // The steps and their order: see password-change-sql.ts.
      const { userId, keepSessionId, now } = change;
      const write = async (tx: PostgresTransaction) => {
        // FOR NO KEY UPDATE: the lock the UPDATE of the hash takes anyway, so sign-ins of the
        // same user (whose new session rows only key-share the user row) do not wait for it.
        const [user] = await tx
          .select({ id: users.id, email: users.email })
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
        await voidResetLinks(tx, userId, user.email, now);
        const others = liveSessionsOfUser(sessions, userId, now, keepSessionId);
        const revokedSessions = await revokeSessionsWhere(tx, others, 'password_changed', now);
        return { session: kept, revokedSessions };
      };
      const revokedSessionsOf = (changed: PasswordChangeResult | null) =>
        changed?.revokedSessions ?? null;
      return retryOnTransientConflict(() => writeWithEvent(event, write, revokedSessionsOf));
    },
  };
}
