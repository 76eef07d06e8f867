import { randomUUID } from 'node:crypto';
import { setAccountDisabled } from '../../src/auth/account-status.js';
import { changeEmail } from '../../src/auth/change-email.js';
import { confirmEmailChange } from '../../src/auth/confirm-email-change.js';
import { deleteAccount } from '../../src/auth/delete-account.js';
import type { AuthDeps } from '../../src/auth/deps.js';
import { deleteUserAsOperator, verifyEmailAsOperator } from '../../src/auth/operator-lifecycle.js';
import type { LinkPurpose } from '../../src/auth/ports/link-records.js';
import type { UserRecord } from '../../src/auth/ports/records.js';
import { createLinkToken } from '../../src/auth/recovery/link-tokens.js';
import { requestEmailVerification } from '../../src/auth/request-email-verification.js';
import { requestPasswordReset } from '../../src/auth/request-password-reset.js';
import { resetPassword } from '../../src/auth/reset-password.js';
import { verifyEmail } from '../../src/auth/verify-email.js';
import { CLIENT, openSession, PASSWORD, viewerOf } from './auth-deps.js';
import type { FaultedOperation } from './faulted-operations.js';
import { newUser } from './records.js';

// The account lifecycle's writing operations (issue 13), for the fault sweep beside the others.

async function freshUser(deps: AuthDeps, passwordHash: string): Promise<UserRecord> {
  const user = await deps.store.users.insert(newUser(randomUUID(), { passwordHash }));
  if (user === null) throw new Error('user exists');
  return user;
}

/** A stored link token of `purpose` for `user`, bound to `email`; returns the token's text. */
async function issuedToken(
  deps: AuthDeps,
  user: UserRecord,
  purpose: LinkPurpose,
  email = user.email,
): Promise<string> {
  const { token, record } = createLinkToken(
    deps.settings.links,
    purpose,
    user,
    email,
    deps.clock.now(),
  );
  const issued = await deps.store.accounts.issueLinks({
    userId: user.id,
    tokens: [record],
    mails: [],
  });
  if (!issued) throw new Error('link not issued');
  return token;
}

async function viewerFor(deps: AuthDeps, user: UserRecord) {
  return viewerOf(deps, await openSession(deps, user));
}

export const FAULTED_LIFECYCLE_OPERATIONS: readonly FaultedOperation[] = [
  {
    name: 'verifyEmail',
    guarantee: 'settled',
    events: ['EMAIL_VERIFIED'],
    async prepare(deps, passwordHash) {
      const user = await freshUser(deps, passwordHash);
      const token = await issuedToken(deps, user, 'verify_email');
      return async () => (await verifyEmail(deps, token, CLIENT)).ok;
    },
  },
  {
    name: 'requestEmailVerification',
    guarantee: 'settled',
    events: ['EMAIL_VERIFICATION_SENT'],
    async prepare(deps, passwordHash) {
      const viewer = await viewerFor(deps, await freshUser(deps, passwordHash));
      return async () => (await requestEmailVerification(deps, viewer, CLIENT)).ok;
    },
  },
  {
    name: 'requestPasswordReset',
    guarantee: 'idempotent',
    events: ['PASSWORD_RESET_REQUESTED'],
    async prepare(deps) {
      const email = `${randomUUID()}@example.com`;
      return async () => (await requestPasswordReset(deps, email, CLIENT)).ok;
    },
  },
  {
    name: 'resetPassword',
    guarantee: 'settled',
    events: ['PASSWORD_RESET'],
    async prepare(deps, passwordHash) {
      const user = await freshUser(deps, passwordHash);
      await openSession(deps, user); // a session the reset ends
      const token = await issuedToken(deps, user, 'reset_password');
      const input = { token, newPassword: 'a reset password entirely' };
      return async () => (await resetPassword(deps, input, CLIENT)).ok;
    },
  },
  {
    name: 'changeEmail',
    guarantee: 'settled',
    events: ['EMAIL_CHANGE_REQUESTED'],
    async prepare(deps, passwordHash) {
      const viewer = await viewerFor(deps, await freshUser(deps, passwordHash));
      const input = { newEmail: `${randomUUID()}@example.com`, currentPassword: PASSWORD };
      return async () => (await changeEmail(deps, viewer, input, CLIENT)).ok;
    },
  },
  ...(['change_email', 'undo_email_change'] as const).map(
    (purpose): FaultedOperation => ({
      name: `confirmEmailChange (${purpose})`,
      guarantee: 'settled',
      events: ['EMAIL_CHANGED'],
      async prepare(deps, passwordHash) {
        const user = await freshUser(deps, passwordHash);
        await openSession(deps, user); // the undo ends it
        const token = await issuedToken(deps, user, purpose, `${randomUUID()}@example.com`);
        return async () => (await confirmEmailChange(deps, token, CLIENT)).ok;
      },
    }),
  ),
  {
    name: 'deleteAccount',
    guarantee: 'settled',
    events: ['USER_DELETED'],
    async prepare(deps, passwordHash) {
      const viewer = await viewerFor(deps, await freshUser(deps, passwordHash));
      return async () => (await deleteAccount(deps, viewer, PASSWORD, CLIENT)).ok;
    },
  },
  ...([true, false] as const).map(
    (disabled): FaultedOperation => ({
      name: disabled ? 'disableUser' : 'enableUser',
      guarantee: 'settled',
      events: [disabled ? 'USER_DISABLED' : 'USER_ENABLED'],
      async prepare(deps, passwordHash) {
        const user = await freshUser(deps, passwordHash);
        await openSession(deps, user);
        const actor = { actorId: null, client: CLIENT };
        if (!disabled) await setAccountDisabled(deps, actor, user.id, true);
        return () => setAccountDisabled(deps, actor, user.id, disabled);
      },
    }),
  ),
  {
    name: 'verifyEmailAsOperator',
    guarantee: 'settled',
    events: ['EMAIL_VERIFIED'],
    async prepare(deps, passwordHash) {
      const user = await freshUser(deps, passwordHash);
      return () => verifyEmailAsOperator(deps, user);
    },
  },
  {
    name: 'deleteUserAsOperator',
    guarantee: 'settled',
    events: ['USER_DELETED'],
    async prepare(deps, passwordHash) {
      const user = await freshUser(deps, passwordHash);
      await openSession(deps, user);
      return async () => (await deleteUserAsOperator(deps, user)) !== null;
    },
  },
];
