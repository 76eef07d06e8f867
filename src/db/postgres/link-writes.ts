import { and, eq, ne, sql } from 'drizzle-orm';
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
import type { PostgresTransaction as Tx } from './audited-write.js';
import { sqlState } from './conflicts.js';
import { countConfirmedFactors } from './factor-counts.js';
import { linkTokens, outbox, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// The link writes the account store is made of, each inside its caller's transaction: storing
// and superseding tokens, queueing mails, voiding reset links, and applying a consumed token.
// The PostgreSQL twin of ../sqlite/link-writes.ts; the order of each write: ../lifecycle-sql.ts.
// Each transaction locks the user row first (FOR NO KEY UPDATE, the lock its UPDATE takes
// anyway), then sessions, like a password change, so they queue rather than deadlock; any that
// PostgreSQL aborts all the same is run again (retryOnTransientConflict).

export async function queue(tx: Tx, mails: readonly NewOutboxMail[]): Promise<void> {
  if (mails.length > 0) await tx.insert(outbox).values(mails.map(outboxRow));
}

/**
 * What a new password voids, in its transaction: the user's reset tokens, and the reset mails
 * to their address not yet sent (each would mint a new token).
 */
export async function voidResetLinks(
  tx: Tx,
  userId: string,
  email: string,
  now: number,
): Promise<void> {
  await tx.delete(linkTokens).where(linksOfUser(linkTokens, userId, ['reset_password']));
  await tx.update(outbox).set(voidedResetMail(now)).where(pendingResetMailsTo(outbox, email));
}

export async function storeLinks(tx: Tx, userId: string, links: readonly LinkTokenRecord[]) {
  if (links.length === 0) return;
  const purposes = supersededPurposes(links);
  if (purposes.length > 0) {
    await tx.delete(linkTokens).where(linksOfUser(linkTokens, userId, purposes));
  }
  await tx.insert(linkTokens).values([...links]);
}

export async function liftEmailRestriction(tx: Tx, userId: string): Promise<void> {
  const owned = await tx
    .select({ id: sessions.id, restrictions: sessions.restrictions })
    .from(sessions)
    .where(eq(sessions.userId, userId));
  for (const session of owned.filter((each) => each.restrictions.includes('EMAIL_NOT_VERIFIED'))) {
    await tx
      .update(sessions)
      .set({ restrictions: withoutEmailRestriction(session.restrictions) })
      .where(eq(sessions.id, session.id));
  }
}

async function isEmailTakenByAnother(tx: Tx, email: string, userId: string): Promise<boolean> {
  const [other] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), ne(users.id, userId)));
  return other !== undefined;
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * Gives the user `email`, verified; null when another account took it after the check above,
 * between that SELECT and this UPDATE (a sign-up that committed meanwhile). The UPDATE runs in
 * a savepoint, so its unique violation leaves the transaction usable: the link stays consumed,
 * as for an address found taken by the check, and the answer is EMAIL_TAKEN, not an error.
 * The savepoint is SQL of its own: `tx` is drizzle on the writer's connection, not a drizzle
 * transaction, so drizzle's nested `transaction()` would send BEGIN and COMMIT, committing the
 * outer transaction halfway.
 */
async function moveToAddress(tx: Tx, userId: string, email: string): Promise<UserRecord | null> {
  await tx.execute(sql.raw('savepoint take_address'));
  try {
    const [updated] = await tx
      .update(users)
      .set({ email, emailVerified: true })
      .where(eq(users.id, userId))
      .returning();
    if (updated === undefined) throw new Error('UPDATE … RETURNING returned no user.');
    await tx.execute(sql.raw('release savepoint take_address'));
    return updated;
  } catch (error) {
    if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
    await tx.execute(sql.raw('rollback to savepoint take_address'));
    return null;
  }
}

export async function applyLink(tx: Tx, use: LinkUse): Promise<LinkUseResult> {
  const [link] = await tx
    .delete(linkTokens)
    .where(usableLink(linkTokens, use.tokenHash, use.purpose, use.now))
    .returning();
  if (link === undefined) {
    const [known] = await tx
      .select({ purpose: linkTokens.purpose })
      .from(linkTokens)
      .where(eq(linkTokens.tokenHash, use.tokenHash));
    return { outcome: known?.purpose === use.purpose ? 'expired' : 'invalid' };
  }
  const [user] = await tx
    .select()
    .from(users)
    .where(eq(users.id, link.userId))
    .for('no key update');
  if (user === undefined) return { outcome: 'invalid' };
  if (user.disabledAt !== null) return { outcome: 'disabled' };
  const { effect, now } = use;
  const verified = async (changes: { passwordHash?: string } = {}): Promise<UserRecord> => {
    const [updated] = await tx
      .update(users)
      .set({ ...changes, emailVerified: true })
      .where(eq(users.id, user.id))
      .returning();
    return updated ?? user;
  };
  switch (effect.kind) {
    case 'verify_email': {
      if (user.email !== link.email) return { outcome: 'invalid' };
      const updated = await verified();
      await tx.delete(linkTokens).where(linksOfUser(linkTokens, user.id, ['verify_email']));
      await liftEmailRestriction(tx, user.id);
      return { outcome: 'used', user: updated, session: null, revokedSessions: 0 };
    }
    case 'reset_password': {
      if (user.email !== link.email) return { outcome: 'invalid' };
      const updated = await verified({ passwordHash: effect.passwordHash });
      await voidResetLinks(tx, user.id, user.email, now);
      const live = liveSessionsOfUser(sessions, user.id, now);
      const revokedSessions = await revokeSessionsWhere(tx, live, 'password_reset', now);
      const factors = await countConfirmedFactors(tx, user.id);
      const gated = gateSession(effect.session, factors, user.roles);
      const [session] = await tx.insert(sessions).values(sessionRow(gated)).returning();
      if (session === undefined) throw new Error('INSERT … RETURNING returned no session.');
      await queue(tx, [effect.notice]);
      return { outcome: 'used', user: updated, session, revokedSessions };
    }
    case 'change_email': {
      if (await isEmailTakenByAnother(tx, link.email, user.id)) return { outcome: 'email_taken' };
      const updated = await moveToAddress(tx, user.id, link.email);
      if (updated === null) return { outcome: 'email_taken' };
      await tx
        .delete(linkTokens)
        .where(linksOfUserExcept(linkTokens, user.id, 'undo_email_change'));
      await liftEmailRestriction(tx, user.id);
      return { outcome: 'used', user: updated, session: null, revokedSessions: 0 };
    }
    case 'undo_email_change': {
      if (await isEmailTakenByAnother(tx, link.email, user.id)) return { outcome: 'email_taken' };
      const updated = await moveToAddress(tx, user.id, link.email);
      if (updated === null) return { outcome: 'email_taken' };
      await tx.delete(linkTokens).where(linksOfUser(linkTokens, user.id));
      const live = liveSessionsOfUser(sessions, user.id, now);
      const revokedSessions = await revokeSessionsWhere(tx, live, 'email_change_undone', now);
      return { outcome: 'used', user: updated, session: null, revokedSessions };
    }
  }
}
