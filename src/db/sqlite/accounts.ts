import { and, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AccountStore } from '../../auth/ports/account-store.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import { linksOfUser, pendingMailsOfUser, userToDelete } from '../lifecycle-sql.js';
import { liveSessionsOfUser } from '../session-sql.js';
import { writeWithEvent } from './audited-write.js';
import { applyLink, liftEmailRestriction, queue, storeLinks, type Tx } from './link-writes.js';
import { linkTokens, outbox, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// The account store: each write one transaction, made of ./link-writes.ts; the order of each
// write and why: ../lifecycle-sql.ts.

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
