import { afterEach, describe, expect, it } from 'vitest';
import { setAccountDisabled } from '../../src/auth/account-status.js';
import { deleteAccount } from '../../src/auth/delete-account.js';
import { logIn } from '../../src/auth/log-in.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  signUpUser,
  type TestAuthDeps,
  viewerOf,
} from '../helpers/auth-deps.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: disabling, enabling and deleting an account, called directly.

let deps: TestAuthDeps;
afterEach(() => deps.close());

const ADMIN = { actorId: 'admin-id', client: CLIENT };

describe(`${testStoreKind()}: disable and enable`, () => {
  it('disabling ends every session and records who did it; a second disable changes nothing', async () => {
    deps = await createTestAuthDeps();
    const grant = await signUpUser(deps, 'off@example.com');
    expect(await setAccountDisabled(deps, ADMIN, grant.user.id, true)).toBe(true);
    expect(await setAccountDisabled(deps, ADMIN, grant.user.id, true)).toBe(false);
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedReason: 'account_disabled',
    });
    expect(deps.events.ofType('USER_DISABLED')).toEqual([
      expect.objectContaining({ userId: grant.user.id, actorId: 'admin-id', revokedSessions: 1 }),
    ]);
    // Only the correct password learns that the account is disabled.
    const wrong = await logIn(
      deps,
      { email: 'off@example.com', password: 'not it at all' },
      CLIENT,
    );
    expect(expectFailure(wrong)).toBe('INVALID_CREDENTIALS');
    const right = await logIn(deps, { email: 'off@example.com', password: PASSWORD }, CLIENT);
    expect(expectFailure(right)).toBe('ACCOUNT_DISABLED');

    expect(await setAccountDisabled(deps, ADMIN, grant.user.id, false)).toBe(true);
    expect(deps.events.ofType('USER_ENABLED')).toHaveLength(1);
    expectSuccess(await logIn(deps, { email: 'off@example.com', password: PASSWORD }, CLIENT));
  });

  it('answers false for an unknown user', async () => {
    deps = await createTestAuthDeps();
    expect(await setAccountDisabled(deps, ADMIN, 'nobody', true)).toBe(false);
  });
});

describe(`${testStoreKind()}: deleteAccount`, () => {
  it('needs the current password; then removes the user and every session, keeping the id in the audit log', async () => {
    deps = await createTestAuthDeps();
    const grant = await signUpUser(deps, 'bye@example.com');
    const viewer = await viewerOf(deps, grant);
    expect(expectFailure(await deleteAccount(deps, viewer, 'not the password', CLIENT))).toEqual({
      reason: 'WRONG_PASSWORD',
      field: 'currentPassword',
    });
    expect(expectSuccess(await deleteAccount(deps, viewer, PASSWORD, CLIENT))).toBe(true);
    expect(await deps.store.users.findById(grant.user.id)).toBeNull();
    expect(await deps.store.sessions.findById(grant.sessionId)).toBeNull();
    const [event] = deps.events.ofType('USER_DELETED');
    expect(event).toMatchObject({ userId: grant.user.id, revokedSessions: 1 });
    expect(expectFailure(await deleteAccount(deps, viewer, PASSWORD, CLIENT))).toBe(
      'SESSION_REVOKED',
    );
    await signUpUser(deps, 'bye@example.com'); // the address is free again
  });
});
