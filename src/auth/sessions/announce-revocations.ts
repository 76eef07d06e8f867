import type { RevocationChannel } from '../ports/revocation-channel.js';
import type { SessionStore, Store, UserStore } from '../ports/store.js';

/**
 * The same store, except that each write that revoked at least one session then announces it
 * on `channel`, so every instance's liveness cache drops those sessions. The announcement
 * follows the committed write: an instance that re-reads the store after hearing it sees the
 * revocation. Nothing is announced for a write that revoked nothing, and nothing else changes.
 */
export function announceRevocations(store: Store, channel: RevocationChannel): Store {
  const sessions: SessionStore = {
    insert: (session) => store.sessions.insert(session),
    findById: (id) => store.sessions.findById(id),
    rotateRefreshToken: (rotation) => store.sessions.rotateRefreshToken(rotation),
    listLiveForUser: (userId, now) => store.sessions.listLiveForUser(userId, now),
    async revoke(id, reason, now, userId) {
      const revoked = await store.sessions.revoke(id, reason, now, userId);
      if (revoked) await channel.publish({ kind: 'session', sessionId: id });
      return revoked;
    },
    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      const count = await store.sessions.revokeAllForUser(userId, reason, now, exceptSessionId);
      if (count > 0) {
        await channel.publish({ kind: 'user', userId, exceptSessionId: exceptSessionId ?? null });
      }
      return count;
    },
  };

  const users: UserStore = {
    insert: (user) => store.users.insert(user),
    findById: (id) => store.users.findById(id),
    findByEmail: (email) => store.users.findByEmail(email),
    list: () => store.users.list(),
    updatePasswordHash: (id, expected, next) => store.users.updatePasswordHash(id, expected, next),
    setRoles: (id, roles) => store.users.setRoles(id, roles),
    async changePassword(change) {
      const result = await store.users.changePassword(change);
      if (result !== null && result.revokedSessions > 0) {
        await channel.publish({
          kind: 'user',
          userId: change.userId,
          exceptSessionId: result.session.id,
        });
      }
      return result;
    },
  };

  return {
    users,
    sessions,
    signingKeys: store.signingKeys,
    auditEvents: store.auditEvents,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
