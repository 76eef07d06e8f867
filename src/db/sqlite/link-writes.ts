import { and, eq, ne } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { LinkUse, LinkUseResult } from '../../auth/ports/account-store.js';
import type { LinkTokenRecord, NewOutboxMail } from '../../auth/ports/link-records.js';
import type { UserRecord } from '../../auth/ports/records.js';
import {
  linksOfUser,
  linksOfUserExcept,
  outboxRow,
  pendingResetMailsTo,
  supersededPurposes,
  usableLink,
  voidedResetMail,
  withoutEmailRestriction,
} from '../lifecycle-sql.js';
import { gateSession } from '../mfa-gate.js';
import { liveSessionsOfUser, sessionRow } from '../session-sql.js';
import { countConfirmedFactors } from './factor-counts.js';
import { linkTokens, outbox, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// The link writes the account store is made of, each inside its caller's transaction: storing
// and superseding tokens, queueing mails, voiding reset links, and applying a consumed token.
export type Tx = BetterSQLite3Database;

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
export function liftEmailRestriction(tx: Tx, userId: string): void {
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

export function applyLink(tx: Tx, use: LinkUse): LinkUseResult {
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
      const gated = gateSession(effect.session, countConfirmedFactors(tx, user.id), user.roles);
      const session = tx.insert(sessions).values(sessionRow(gated)).returning().get();
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
