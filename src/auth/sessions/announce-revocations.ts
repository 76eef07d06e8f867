import type { AccountStore } from '../ports/account-store.js';
import { CommitOutcomeUnknownError } from '../ports/commit-outcome.js';
import type { Revocation, RevocationChannel } from '../ports/revocation-channel.js';
import type { SessionStore, Store, UserStore } from '../ports/store.js';

/**
 * The same store, except that each write that revoked at least one session then announces it
 * on `channel`, so every instance's liveness cache drops those sessions. The announcement
 * follows the committed write: an instance that re-reads the store after hearing it sees the
 * revocation. Nothing is announced for a write that revoked nothing, and nothing else changes.
 * A write whose commit outcome is unknown is announced all the same: a needless announcement
 * costs the other instances one read of the store, a missing one lets them trust a revoked
 * session until their cache entry expires.
 */
export function announceRevocations(store: Store, channel: RevocationChannel): Store {
  /** Runs `write`; announces `revocation` when it revoked or may have revoked. */
  async function announcing<T>(
    write: Promise<T>,
    revoked: (result: T) => boolean,
    revocation: Revocation,
  ): Promise<T> {
    try {
      const result = await write;
      if (revoked(result)) await channel.publish(revocation);
      return result;
    } catch (error) {
      if (error instanceof CommitOutcomeUnknownError) await channel.publish(revocation);
      throw error;
    }
  }

  const sessions: SessionStore = {
    insert: (session, event) => store.sessions.insert(session, event),
    findById: (id) => store.sessions.findById(id),
    rotateRefreshToken: (rotation, event) => store.sessions.rotateRefreshToken(rotation, event),
    listLiveForUser: (userId, now) => store.sessions.listLiveForUser(userId, now),
    revoke(id, reason, now, userId, event) {
      return announcing(
        store.sessions.revoke(id, reason, now, userId, event),
        (revoked) => revoked,
        { kind: 'session', sessionId: id },
      );
    },
    revokeAllForUser(userId, reason, now, exceptSessionId, event) {
      return announcing(
        store.sessions.revokeAllForUser(userId, reason, now, exceptSessionId, event),
        (count) => count > 0,
        { kind: 'user', userId, exceptSessionId: exceptSessionId ?? null },
      );
    },
  };

  const users: UserStore = {
    insert: (user, event) => store.users.insert(user, event),
    insertWithSession: (user, session, event, links) =>
      store.users.insertWithSession(user, session, event, links),
    findById: (id) => store.users.findById(id),
    findByEmail: (email) => store.users.findByEmail(email),
    list: () => store.users.list(),
    updatePasswordHash: (id, expected, next) => store.users.updatePasswordHash(id, expected, next),
    setRoles: (id, roles, event) => store.users.setRoles(id, roles, event),
    changePassword(change, event) {
      return announcing(
        store.users.changePassword(change, event),
        (result) => result !== null && result.revokedSessions > 0,
        { kind: 'user', userId: change.userId, exceptSessionId: change.keepSessionId },
      );
    },
  };

  // The account lifecycle's session endings, and the restrictions it lifts: a cached session
  // is dropped, so the next request reads the session's restrictions from the store.
  const { accounts: inner } = store;
  const accounts: AccountStore = {
    issueLinks: (issue, event) => inner.issueLinks(issue, event),
    findLink: (tokenHash) => inner.findLink(tokenHash),
    queueMails: (mails, event) => inner.queueMails(mails, event),
    async useLink(use, event) {
      const link = await inner.findLink(use.tokenHash);
      const revocation = link === null ? null : userRevocation(link.userId);
      const result = inner.useLink(use, event);
      if (revocation === null) return result;
      return announcing(result, (used) => used.outcome === 'used', revocation);
    },
    markEmailVerified(userId, event) {
      return announcing(inner.markEmailVerified(userId, event), (marked) => marked, {
        kind: 'user',
        userId,
        exceptSessionId: null,
      });
    },
    setDisabled(change, event) {
      return announcing(
        inner.setDisabled(change, event),
        (revoked) => revoked !== null && revoked > 0,
        userRevocation(change.userId),
      );
    },
    deleteUser(deletion, event) {
      return announcing(
        inner.deleteUser(deletion, event),
        (revoked) => revoked !== null && revoked > 0,
        userRevocation(deletion.userId),
      );
    },
  };

  return {
    users,
    sessions,
    accounts,
    outbox: store.outbox,
    signingKeys: store.signingKeys,
    auditEvents: store.auditEvents,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

function userRevocation(userId: string): Revocation {
  return { kind: 'user', userId, exceptSessionId: null };
}
