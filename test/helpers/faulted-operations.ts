import { randomUUID } from 'node:crypto';
import { changePassword } from '../../src/auth/change-password.js';
import type { AuthDeps } from '../../src/auth/deps.js';
import { logIn } from '../../src/auth/log-in.js';
import { logOut } from '../../src/auth/log-out.js';
import { revokeOwnSession, revokeUserSessions } from '../../src/auth/manage-sessions.js';
import {
  createAccount,
  replaceUserRoles,
  revokeAllSessionsOfUser,
} from '../../src/auth/operator-actions.js';
import type { AuthEventType } from '../../src/auth/ports/records.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import { signUp } from '../../src/auth/sign-up.js';
import {
  CLIENT,
  openSession,
  openSessions,
  PASSWORD,
  verifiedRefreshToken,
  viewerOf,
} from './auth-deps.js';
import { FAULTED_LIFECYCLE_OPERATIONS } from './faulted-lifecycle-operations.js';
import { newUser } from './records.js';

// Every auth operation that writes, each as a call a client (or an operator) can repeat, for
// the fault sweep in test/db/write-faults.test.ts.

/**
 * - `settled`: an error answer means that nothing was committed, whatever failed, a lost
 *   COMMIT answer included (the operation reads back what it committed, and answers that).
 * - `idempotent`: the same, except after a lost COMMIT answer, when the write and its event
 *   committed whole; repeating the call is then harmless (it finds nothing left to do).
 */
export type FaultGuarantee = 'settled' | 'idempotent';

export interface FaultedOperation {
  readonly name: string;
  readonly guarantee: FaultGuarantee;
  /** The audit events one successful call appends. */
  readonly events: readonly AuthEventType[];
  /** Sets up what one call needs (with no fault armed) and returns the call. */
  prepare(deps: AuthDeps, passwordHash: string): Promise<() => Promise<boolean>>;
}

/** A user with PASSWORD (its hash computed once for the whole sweep), and no session. */
async function userWithPassword(deps: AuthDeps, passwordHash: string) {
  const user = await deps.store.users.insert(newUser(randomUUID(), { passwordHash }));
  if (user === null) throw new Error('user exists');
  return user;
}

async function viewerWithSessions(deps: AuthDeps, count: number) {
  const { user, grants } = await openSessions(deps, randomUUID(), count);
  const [first, second] = grants;
  if (first === undefined) throw new Error('no session');
  return { user, viewer: await viewerOf(deps, first), other: second?.sessionId ?? '' };
}

export const FAULTED_OPERATIONS: readonly FaultedOperation[] = [
  {
    name: 'reissue',
    guarantee: 'settled',
    events: ['REISSUE'],
    async prepare(deps) {
      const { grants } = await openSessions(deps, randomUUID(), 1);
      const token = await verifiedRefreshToken(deps, grants[0]?.tokens.refreshToken ?? '');
      return async () => (await reissueTokens(deps, token, CLIENT)).ok;
    },
  },
  {
    name: 'signUp',
    guarantee: 'settled',
    events: ['SIGN_UP', 'EMAIL_VERIFICATION_SENT'],
    async prepare(deps) {
      const input = { email: `${randomUUID()}@example.com`, password: PASSWORD };
      return async () => (await signUp(deps, input, CLIENT)).ok;
    },
  },
  {
    name: 'logIn',
    guarantee: 'settled',
    events: ['LOGIN_SUCCEEDED'],
    async prepare(deps, passwordHash) {
      const user = await userWithPassword(deps, passwordHash);
      return async () => (await logIn(deps, { email: user.email, password: PASSWORD }, CLIENT)).ok;
    },
  },
  {
    name: 'changePassword',
    guarantee: 'settled',
    events: ['PASSWORD_CHANGED'],
    async prepare(deps, passwordHash) {
      const user = await userWithPassword(deps, passwordHash);
      const viewer = await viewerOf(deps, await openSession(deps, user));
      await openSession(deps, user); // another session, which the change ends
      const input = { currentPassword: PASSWORD, newPassword: 'another password entirely' };
      return async () => (await changePassword(deps, viewer, input, CLIENT)).ok;
    },
  },
  {
    name: 'createAccount',
    guarantee: 'settled',
    events: ['USER_CREATED'],
    async prepare(deps) {
      const email = `${randomUUID()}@example.com`;
      const input = { email, password: PASSWORD, roles: ['USER'] as const };
      return async () => (await createAccount(deps, input)).ok;
    },
  },
  ...(['CURRENT', 'OTHERS', 'ALL'] as const).map(
    (scope): FaultedOperation => ({
      name: `logOut ${scope}`,
      guarantee: 'idempotent',
      events: ['LOGOUT'],
      async prepare(deps) {
        const { viewer } = await viewerWithSessions(deps, 2);
        return async () => (await logOut(deps, viewer, scope, CLIENT)) >= 0;
      },
    }),
  ),
  {
    name: 'revokeOwnSession',
    guarantee: 'idempotent',
    events: ['SESSION_REVOKED'],
    async prepare(deps) {
      const { viewer, other } = await viewerWithSessions(deps, 2);
      return async () => typeof (await revokeOwnSession(deps, viewer, other, CLIENT)) === 'boolean';
    },
  },
  {
    name: 'revokeUserSessions',
    guarantee: 'idempotent',
    events: ['SESSION_REVOKED'],
    async prepare(deps) {
      const { viewer } = await viewerWithSessions(deps, 1);
      const { user } = await openSessions(deps, randomUUID(), 2);
      return async () => (await revokeUserSessions(deps, viewer, user.id, CLIENT)) >= 0;
    },
  },
  {
    name: 'replaceUserRoles',
    guarantee: 'idempotent',
    events: ['ROLES_CHANGED'],
    async prepare(deps) {
      const { user } = await openSessions(deps, randomUUID(), 0);
      return async () => {
        await replaceUserRoles(deps, user, ['USER', 'ADMIN']);
        return true;
      };
    },
  },
  {
    name: 'revokeAllSessionsOfUser',
    guarantee: 'idempotent',
    events: ['SESSION_REVOKED'],
    async prepare(deps) {
      const { user } = await openSessions(deps, randomUUID(), 2);
      return async () => (await revokeAllSessionsOfUser(deps, user)) >= 0;
    },
  },
  ...FAULTED_LIFECYCLE_OPERATIONS,
];
