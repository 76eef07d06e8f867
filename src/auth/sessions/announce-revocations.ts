import type { AccountStore } from '../ports/account-store.js';
import { CommitOutcomeUnknownError } from '../ports/commit-outcome.js';
import type { FactorStore } from '../ports/factor-store.js';
import type { LinkPurpose } from '../ports/link-records.js';
import type { PasskeyStore } from '../ports/passkey-store.js';
import type {
  Revocation,
  RevocationChannel,
  RevocationReason,
} from '../ports/revocation-channel.js';
import type { SessionStore, Store, UserStore } from '../ports/store.js';

/**
 * The one path by which sessions end, whatever the reason (logout, a user's or an operator's
 * revocation, refresh token reuse, a password change or reset, an undone email change, disable,
 * delete): every such write is a store method that stamps the reason on the session rows and
 * records the audit event in its transaction, and this wrapper announces it, with that reason.
 *
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
    start: (session, event) => store.sessions.start(session, event),
    findById: (id) => store.sessions.findById(id),
    findWithUser: (id) => store.sessions.findWithUser(id),
    rotateRefreshToken: (rotation, event) => store.sessions.rotateRefreshToken(rotation, event),
    listLiveForUser: (userId, now) => store.sessions.listLiveForUser(userId, now),
    revoke(id, reason, now, userId, event) {
      return announcing(
        store.sessions.revoke(id, reason, now, userId, event),
        (revoked) => revoked,
        { kind: 'session', sessionId: id, reason },
      );
    },
    revokeAllForUser(userId, reason, now, exceptSessionId, event) {
      return announcing(
        store.sessions.revokeAllForUser(userId, reason, now, exceptSessionId, event),
        (count) => count > 0,
        { kind: 'user', userId, exceptSessionId: exceptSessionId ?? null, reason },
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
        {
          kind: 'user',
          userId: change.userId,
          exceptSessionId: change.keepSessionId,
          reason: 'password_changed',
        },
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
    purgeExpiredLinks: (expiredBefore) => inner.purgeExpiredLinks(expiredBefore),
    async useLink(use, event) {
      const link = await inner.findLink(use.tokenHash);
      const revocation =
        link === null ? null : userRevocation(link.userId, LINK_REVOCATION_REASONS[link.purpose]);
      const result = inner.useLink(use, event);
      if (revocation === null) return result;
      return announcing(result, (used) => used.outcome === 'used', revocation);
    },
    markEmailVerified(userId, event) {
      return announcing(
        inner.markEmailVerified(userId, event),
        (marked) => marked,
        userRevocation(userId, 'restrictions_changed'),
      );
    },
    setDisabled(change, event) {
      return announcing(
        inner.setDisabled(change, event),
        (revoked) => revoked !== null && revoked > 0,
        userRevocation(change.userId, 'account_disabled'),
      );
    },
    deleteUser(deletion, event) {
      return announcing(
        inner.deleteUser(deletion, event),
        (revoked) => revoked !== null && revoked > 0,
        userRevocation(deletion.userId, 'account_deleted'),
      );
    },
  };

  // A first factor's confirmation restricts the account's other sessions (MFA_REQUIRED, a
  // deadline): a cached one is dropped, so the next request reads the restriction. An
  // operator's reset ends every session of the account.
  const { factors: factorsInner } = store;
  const factors: FactorStore = {
    insertPending: (factor, event) => factorsInner.insertPending(factor, event),
    findById: (id) => factorsInner.findById(id),
    listConfirmed: (userId) => factorsInner.listConfirmed(userId),
    standing: (userId) => factorsInner.standing(userId),
    confirm(userId, confirmation, event) {
      return announcing(
        factorsInner.confirm(userId, confirmation, event),
        (result) => result.outcome === 'confirmed' && result.restrictedSessions > 0,
        {
          kind: 'user',
          userId,
          exceptSessionId: confirmation.stepUp.sessionId,
          reason: 'restrictions_changed',
        },
      );
    },
    acceptTotp: (userId, acceptance, event) => factorsInner.acceptTotp(userId, acceptance, event),
    useRecoveryCode: (use, event) => factorsInner.useRecoveryCode(use, event),
    recordTotpFailure: (failure, event) => factorsInner.recordTotpFailure(failure, event),
    replaceRecoveryCodes: (userId, codeHashes, event, notice) =>
      factorsInner.replaceRecoveryCodes(userId, codeHashes, event, notice),
    // Removing the last factor lifts MFA_REQUIRED: cached sessions are read again.
    remove: (removal, event) =>
      announcing(
        factorsInner.remove(removal, event),
        (removed) => removed,
        userRevocation(removal.userId, 'restrictions_changed'),
      ),
    resetUser(userId, now, event, notice) {
      return announcing(
        factorsInner.resetUser(userId, now, event, notice),
        (revoked) => revoked !== null && revoked > 0,
        userRevocation(userId, 'mfa_reset'),
      );
    },
    purgeExpiredPending: (expiredBefore) => factorsInner.purgeExpiredPending(expiredBefore),
    listSealedSecrets: () => factorsInner.listSealedSecrets(),
    replaceSealedSecret: (factorId, expected, next) =>
      factorsInner.replaceSealedSecret(factorId, expected, next),
  };

  // A passkey's registration restricts the other sessions as a TOTP confirmation does.
  const { passkeys: passkeysInner } = store;
  const passkeys: PasskeyStore = {
    ...passkeysInner,
    register(userId, registration, event) {
      return announcing(
        passkeysInner.register(userId, registration, event),
        (result) => result.outcome === 'confirmed' && result.restrictedSessions > 0,
        {
          kind: 'user',
          userId,
          exceptSessionId: registration.stepUp.sessionId,
          reason: 'restrictions_changed',
        },
      );
    },
  };

  return {
    users,
    sessions,
    accounts,
    factors,
    passkeys,
    outbox: store.outbox,
    signingKeys: store.signingKeys,
    auditEvents: store.auditEvents,
    revocations: store.revocations,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/**
 * What using a link announces: a reset and an undone email change end every session; a
 * verification or a confirmed change lifts the unverified address's restriction.
 */
const LINK_REVOCATION_REASONS: Readonly<Record<LinkPurpose, RevocationReason>> = {
  reset_password: 'password_reset',
  undo_email_change: 'email_change_undone',
  verify_email: 'restrictions_changed',
  change_email: 'restrictions_changed',
};

function userRevocation(userId: string, reason: RevocationReason): Revocation {
  return { kind: 'user', userId, exceptSessionId: null, reason };
}
