import { and, eq, isNotNull, isNull, lt } from 'drizzle-orm';
import type { AccountStore } from '../../auth/ports/account-store.js';
import { wroteWithoutRevoking } from '../audited-write.js';
import { linksOfUser, pendingMailsOfUser, userToDelete } from '../lifecycle-sql.js';
import { liveSessionsOfUser } from '../session-sql.js';
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction as Tx,
} from './audited-write.js';
import { retryOnTransientConflict } from './conflicts.js';
import { applyLink, liftEmailRestriction, queue, storeLinks } from './link-writes.js';
import { linkTokens, outbox, sessions, users } from './schema.js';
import { revokeSessionsWhere } from './sessions.js';

// The PostgreSQL twin of ../sqlite/accounts.ts; the writes it is made of: ./link-writes.ts.

export function createPostgresAccountStore(db: PostgresDatabase): AccountStore {
  const { writeWithEvent } = createPostgresWriter(db);
  return {
    async issueLinks(issue, event) {
      const write = async (tx: Tx) => {
        const [user] = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, issue.userId), isNull(users.disabledAt)))
          .for('no key update');
        if (user === undefined) return null;
        await storeLinks(tx, issue.userId, issue.tokens);
        await queue(tx, issue.mails);
        return true;
      };
      const issued = await retryOnTransientConflict(() =>
        writeWithEvent(event, write, wroteWithoutRevoking),
      );
      return issued === true;
    },
    async findLink(tokenHash) {
      const [link] = await db.select().from(linkTokens).where(eq(linkTokens.tokenHash, tokenHash));
      return link ?? null;
    },
    async purgeExpiredLinks(expiredBefore) {
      const deleted = await db
        .delete(linkTokens)
        .where(lt(linkTokens.expiresAt, expiredBefore))
        .returning({ tokenHash: linkTokens.tokenHash });
      return deleted.length;
    },
    useLink(use, event) {
      return retryOnTransientConflict(() =>
        writeWithEvent(
          event,
          (tx) => applyLink(tx, use),
          (result) => (result.outcome === 'used' ? result.revokedSessions : null),
        ),
      );
    },
    async queueMails(mails, event) {
      await writeWithEvent(
        event,
        (tx) => queue(tx, mails),
        () => 0,
      );
    },
    async markEmailVerified(userId, event) {
      const write = async (tx: Tx) => {
        const changed = await tx
          .update(users)
          .set({ emailVerified: true })
          .where(and(eq(users.id, userId), eq(users.emailVerified, false)))
          .returning({ id: users.id });
        if (changed.length === 0) return null;
        await tx.delete(linkTokens).where(linksOfUser(linkTokens, userId, ['verify_email']));
        await liftEmailRestriction(tx, userId);
        return true;
      };
      const marked = await retryOnTransientConflict(() =>
        writeWithEvent(event, write, wroteWithoutRevoking),
      );
      return marked === true;
    },
    setDisabled({ userId, disabled, now }, event) {
      const write = async (tx: Tx): Promise<number | null> => {
        const changed = await tx
          .update(users)
          .set({ disabledAt: disabled ? now : null })
          .where(
            and(
              eq(users.id, userId),
              disabled ? isNull(users.disabledAt) : isNotNull(users.disabledAt),
            ),
          )
          .returning({ id: users.id });
        if (changed.length === 0) return null;
        if (!disabled) return 0;
        const live = liveSessionsOfUser(sessions, userId, now);
        return revokeSessionsWhere(tx, live, 'account_disabled', now);
      };
      return retryOnTransientConflict(() => writeWithEvent(event, write, (revoked) => revoked));
    },
    deleteUser({ userId, now, expectedPasswordHash }, event) {
      const write = async (tx: Tx): Promise<number | null> => {
        const [user] = await tx
          .select({ id: users.id })
          .from(users)
          .where(userToDelete(users, userId, expectedPasswordHash))
          .for('update');
        if (user === undefined) return null;
        // Ended first, so their revocation records (which keep no foreign key) outlive the rows;
        // then the sessions and link tokens go with the user (ON DELETE CASCADE).
        const live = liveSessionsOfUser(sessions, userId, now);
        const revoked = await revokeSessionsWhere(tx, live, 'account_deleted', now);
        await tx.delete(users).where(eq(users.id, userId));
        await tx.delete(outbox).where(pendingMailsOfUser(outbox, userId));
        return revoked;
      };
      return retryOnTransientConflict(() => writeWithEvent(event, write, (revoked) => revoked));
    },
  };
}
