import { and, eq, isNotNull, isNull, lt, ne } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AccountStore, LinkUse, LinkUseResult } from '../../auth/ports/account-store.js';
import type { LinkTokenRecord, NewOutboxMail } from '../../auth/ports/link-records.js';
import type { UserRecord } from '../../auth/ports/records.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import {
  linksOfUser,
  linksOfUserExcept,
  outboxRow,
  pendingMailsOfUser,
  pendingResetMailsTo,
  supersededPurposes,
  usableLink,
  userToDelete,
  voidedResetMail,
  withoutEmailRestriction,
} from '../lifecycle-sql.js';
import { liveSessionsOfUser, sessionRow } from '../session-sql.js';
import { writeWithEvent } from './audited-write.js';
import { linkTokens, outbox, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

type Tx = BetterSQLite3Database;

// The order of each write and why: see ../lifecycle-sql.ts. IMMEDIATE takes the write lock
// before the first read, as PostgreSQL locks the user row.

export function queue(tx: Tx, mails: readonly NewOutboxMail[]): void {
  if (mails.length > 0) tx.insert(outbox).values(mails.map(outboxRow)).run();
}

/**
 * What a new password voids, in its transaction: the user's reset tokens, and the reset mails
 * to their address not yet sent (each would mint a new token).
 */
export function voidResetLinks(tx: Tx, userId: string, email: string, now: number): void {
  tx.delete(linkTokens)
    .where(linksOfUser(linkTokens, userId, ['reset_password']))
    .run();
  tx.update(outbox).set(voidedResetMail(now)).where(pendingResetMailsTo(outbox, email)).run();
}

export function storeLinks(tx: Tx, userId: string, links: readonly LinkTokenRecord[]): void {
  if (links.length === 0) return;
  const purposes = supersededPurposes(links);
  if (purposes.length > 0) {
    tx.delete(linkTokens)
      .where(linksOfUser(linkTokens, userId, purposes))
      .run();
  }
  tx.insert(linkTokens)
    .values([...links])
    .run();
}

/** Lifts EMAIL_NOT_VERIFIED from the user's sessions. */
function liftEmailRestriction(tx: Tx, userId: string): void {
  const restricted = tx
    .select({ id: sessions.id, restrictions: sessions.restrictions })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .all()
    .filter((session) => session.restrictions.includes('EMAIL_NOT_VERIFIED'));
  for (const session of restricted) {
    tx.update(sessions)
      .set({ restrictions: withoutEmailRestriction(session.restrictions) })
      .where(eq(sessions.id, session.id))
      .run();
  }
}

function isEmailTakenByAnother(tx: Tx, email: string, userId: string): boolean {
  const other = tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), ne(users.id, userId)))
    .get();
  return other !== undefined;
}

/**
 * Gives the user `email`, verified; null when another account has it. useLink's transaction is
 * IMMEDIATE, so no other connection commits between the check above and this UPDATE; the
 * unique violation is still answered as EMAIL_TAKEN, as on PostgreSQL (db/postgres/accounts.ts),
 * and SQLite undoes only the failed statement, so the transaction goes on.
 */
function moveToAddress(tx: Tx, user: UserRecord, email: string): UserRecord | null {
  try {
    return (
      tx
        .update(users)
        .set({ email, emailVerified: true })
        .where(eq(users.id, user.id))
        .returning()
        .get() ?? user
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
    throw error;
  }
}

function applyLink(tx: Tx, use: LinkUse): LinkUseResult {
  const [link] = tx
    .delete(linkTokens)
    .where(usableLink(linkTokens, use.tokenHash, use.purpose, use.now))
    .returning()
    .all();
  if (link === undefined) {
    const known = tx
      .select({ purpose: linkTokens.purpose })
      .from(linkTokens)
      .where(eq(linkTokens.tokenHash, use.tokenHash))
      .get();
    return { outcome: known?.purpose === use.purpose ? 'expired' : 'invalid' };
  }
  const user = tx.select().from(users).where(eq(users.id, link.userId)).get();
  if (user === undefined) return { outcome: 'invalid' };
  if (user.disabledAt !== null) return { outcome: 'disabled' };
  const { effect, now } = use;
  const verified = (changes: { passwordHash?: string } = {}): UserRecord =>
    tx
      .update(users)
      .set({ ...changes, emailVerified: true })
      .where(eq(users.id, user.id))
      .returning()
      .get() ?? user;
  switch (effect.kind) {
    case 'verify_email': {
      if (user.email !== link.email) return { outcome: 'invalid' };
      tx.delete(linkTokens)
        .where(linksOfUser(linkTokens, user.id, ['verify_email']))
        .run();
      liftEmailRestriction(tx, user.id);
      return { outcome: 'used', user: verified(), session: null, revokedSessions: 0 };
    }
    case 'reset_password': {
      if (user.email !== link.email) return { outcome: 'invalid' };
      const updated = verified({ passwordHash: effect.passwordHash });
      voidResetLinks(tx, user.id, user.email, now);
      const live = liveSessionsOfUser(sessions, user.id, now);
      const revokedSessions = revokeSessionsWhere(tx, live, 'password_reset', now);
      const session = tx.insert(sessions).values(sessionRow(effect.session)).returning().get();
      queue(tx, [effect.notice]);
      return { outcome: 'used', user: updated, session, revokedSessions };
    }
    case 'change_email': {
      if (isEmailTakenByAnother(tx, link.email, user.id)) return { outcome: 'email_taken' };
      const updated = moveToAddress(tx, user, link.email);
      if (updated === null) return { outcome: 'email_taken' };
      // Links sent to the old address must not act on the new one; the undo link stays.
      tx.delete(linkTokens)
        .where(linksOfUserExcept(linkTokens, user.id, 'undo_email_change'))
        .run();
      liftEmailRestriction(tx, user.id);
      return { outcome: 'used', user: updated, session: null, revokedSessions: 0 };
    }
    case 'undo_email_change': {
      if (isEmailTakenByAnother(tx, link.email, user.id)) return { outcome: 'email_taken' };
      const updated = moveToAddress(tx, user, link.email);
      if (updated === null) return { outcome: 'email_taken' };
      tx.delete(linkTokens).where(linksOfUser(linkTokens, user.id)).run();
      const live = liveSessionsOfUser(sessions, user.id, now);
      const revokedSessions = revokeSessionsWhere(tx, live, 'email_change_undone', now);
      return { outcome: 'used', user: updated, session: null, revokedSessions };
    }
  }
}

export function createSqliteAccountStore(db: BetterSQLite3Database): AccountStore {
  const immediate = { immediate: true } as const;
  return {
    async issueLinks(issue, event) {
      const write = (tx: Tx) => {
        const user = tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, issue.userId), isNull(users.disabledAt)))
          .get();
        if (user === undefined) return null;
        storeLinks(tx, issue.userId, issue.tokens);
        queue(tx, issue.mails);
        return true;
      };
      return (await writeWithEvent(db, event, write, wroteWithoutRevoking, immediate)) === true;
    },
    async findLink(tokenHash) {
      const link = db.select().from(linkTokens).where(eq(linkTokens.tokenHash, tokenHash)).get();
      return link ?? null;
    },
    async purgeExpiredLinks(expiredBefore) {
      return db.delete(linkTokens).where(lt(linkTokens.expiresAt, expiredBefore)).run().changes;
    },
    useLink(use, event) {
      return writeWithEvent(
        db,
        event,
        (tx) => applyLink(tx, use),
        (result) => (result.outcome === 'used' ? result.revokedSessions : null),
        immediate,
      );
    },
    async queueMails(mails, event) {
      await writeWithEvent(
        db,
        event,
        (tx) => queue(tx, mails),
        () => 0,
      );
    },
    async markEmailVerified(userId, event) {
      const write = (tx: Tx) => {
        const changed = tx
          .update(users)
          .set({ emailVerified: true })
          .where(and(eq(users.id, userId), eq(users.emailVerified, false)))
          .returning({ id: users.id })
          .all();
        if (changed.length === 0) return null;
        tx.delete(linkTokens)
          .where(linksOfUser(linkTokens, userId, ['verify_email']))
          .run();
        liftEmailRestriction(tx, userId);
        return true;
      };
      return (await writeWithEvent(db, event, write, wroteWithoutRevoking, immediate)) === true;
    },
    setDisabled({ userId, disabled, now }, event) {
      const write = (tx: Tx): number | null => {
        const changed = tx
          .update(users)
          .set({ disabledAt: disabled ? now : null })
          .where(
            and(
              eq(users.id, userId),
              disabled ? isNull(users.disabledAt) : isNotNull(users.disabledAt),
            ),
          )
          .returning({ id: users.id })
          .all();
        if (changed.length === 0) return null;
        if (!disabled) return 0;
        const live = liveSessionsOfUser(sessions, userId, now);
        return revokeSessionsWhere(tx, live, 'account_disabled', now);
      };
      return writeWithEvent(db, event, write, (revoked) => revoked, immediate);
    },
    deleteUser({ userId, now, expectedPasswordHash }, event) {
      const write = (tx: Tx): number | null => {
        const user = tx
          .select({ id: users.id })
          .from(users)
          .where(userToDelete(users, userId, expectedPasswordHash))
          .get();
        if (user === undefined) return null;
        // Ended first, so their revocation records (which keep no foreign key) outlive the rows;
        // then the sessions and link tokens go with the user (ON DELETE CASCADE).
        const live = liveSessionsOfUser(sessions, userId, now);
        const revoked = revokeSessionsWhere(tx, live, 'account_deleted', now);
        tx.delete(users).where(eq(users.id, userId)).run();
        tx.delete(outbox).where(pendingMailsOfUser(outbox, userId)).run();
        return revoked;
      };
      return writeWithEvent(db, event, write, (revoked) => revoked, immediate);
    },
  };
}
