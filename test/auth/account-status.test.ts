import { afterEach, describe, expect, it } from 'vitest';
import { setAccountDisabled } from '../../src/auth/account-status.js';
import { deleteAccount } from '../../src/auth/delete-account.js';
import { logIn } from '../../src/auth/log-in.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import { requestPasswordReset } from '../../src/auth/request-password-reset.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  signUpUser,
  type TestAuthDeps,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';
import { captureMailOf } from '../helpers/mail.js';
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

describe(`${testStoreKind()}: a login racing a disable`, () => {
  it('a disable that commits while the password is being checked leaves no session: ACCOUNT_DISABLED', async () => {
    deps = await createTestAuthDeps();
    const grant = await signUpUser(deps, 'racing@example.com');
    const verify = deps.passwords.verify.bind(deps.passwords);
    // The disable commits after logIn read the account and before its session is stored.
    deps.passwords.verify = async (hash, password) => {
      const ok = await verify(hash, password);
      expect(await setAccountDisabled(deps, ADMIN, grant.user.id, true)).toBe(true);
      return ok;
    };
    const raced = await logIn(deps, { email: 'racing@example.com', password: PASSWORD }, CLIENT);
    expect(expectFailure(raced)).toBe('ACCOUNT_DISABLED');
    const live = await deps.store.sessions.listLiveForUser(grant.user.id, deps.clock.now());
    expect(live).toEqual([]);
  });

  it('a live session of a disabled account (a hand edit, say) ends at its first reissue, as account_disabled', async () => {
    deps = await createTestAuthDeps();
    const grant = await signUpUser(deps, 'unseen@example.com');
    const token = await verifiedRefreshToken(deps, grant.tokens.refreshToken);
    // As if the disable committed without seeing this session: the account is disabled, the
    // session still live.
    const { users } = deps.store;
    const findById = users.findById.bind(users);
    users.findById = async (id) => {
      const user = await findById(id);
      return user === null ? null : { ...user, disabledAt: deps.clock.now() };
    };
    expect(expectFailure(await reissueTokens(deps, token, CLIENT))).toBe('SESSION_REVOKED');
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedReason: 'account_disabled',
    });
  });
});

describe(`${testStoreKind()}: a reset mail racing a disable`, () => {
  it('a disable that commits after the sender looked the account up gets no reset link minted or sent', async () => {
    deps = await createTestAuthDeps();
    const grant = await signUpUser(deps, 'late@example.com');
    const mail = captureMailOf(deps);
    await mail.deliverTo('late@example.com'); // the sign-up's verification mail
    expect(expectSuccess(await requestPasswordReset(deps, 'late@example.com', CLIENT))).toBe(true);
    const { users } = deps.store;
    const findByEmail = users.findByEmail.bind(users);
    let raced = false;
    users.findByEmail = async (email) => {
      const found = await findByEmail(email);
      if (!raced) {
        raced = true; // the disable commits right after the sender's lookup
        expect(await setAccountDisabled(deps, ADMIN, grant.user.id, true)).toBe(true);
      }
      return found;
    };
    await mail.sender.deliverDue();
    expect(mail.sent.filter((sent) => sent.subject === 'Reset your password')).toEqual([]);
    // Its lease runs out; the next look drops it.
    deps.clock.advanceSeconds(60);
    await mail.sender.deliverDue();
    expect(mail.outcomes).toContain('dropped reset_password account_disabled');
    expect(mail.sent.filter((sent) => sent.subject === 'Reset your password')).toEqual([]);
  });
});
