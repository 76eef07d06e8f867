import { afterEach, describe, expect, it } from 'vitest';
import { changePassword } from '../../src/auth/change-password.js';
import type { UserRecord } from '../../src/auth/ports/records.js';
import { createLinkToken } from '../../src/auth/recovery/link-tokens.js';
import { requestPasswordReset } from '../../src/auth/request-password-reset.js';
import { resetPassword } from '../../src/auth/reset-password.js';
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
import { captureMailOf, linkTokenOf } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: resetPassword, called directly (the mail's path is test/mail/).

let deps: TestAuthDeps;
afterEach(() => deps.close());

const NEW_PASSWORD = 'a fresh password for reset';

async function resetToken(user: UserRecord): Promise<string> {
  const { token, record } = createLinkToken(
    deps.settings.links,
    'reset_password',
    user,
    user.email,
    deps.clock.now(),
  );
  expect(
    await deps.store.accounts.issueLinks({ userId: user.id, tokens: [record], mails: [] }),
  ).toBe(true);
  return token;
}

async function account(email: string) {
  const grant = await signUpUser(deps, email);
  const user = await deps.store.users.findById(grant.user.id);
  if (user === null) throw new Error('no user');
  return { grant, user };
}

describe(`${testStoreKind()}: resetPassword`, () => {
  it('sets the password, ends every session, verifies the address, records it, queues a notice, opens a session', async () => {
    deps = await createTestAuthDeps();
    const { grant, user } = await account('reset@example.com');
    const token = await resetToken(user);
    const other = await resetToken(user); // superseded by the newer one: also void afterwards
    const reset = expectSuccess(
      await resetPassword(deps, { token: other, newPassword: NEW_PASSWORD }, CLIENT),
    );
    expect(
      expectFailure(await resetPassword(deps, { token, newPassword: NEW_PASSWORD }, CLIENT)),
    ).toEqual({ reason: 'LINK_INVALID', field: 'token' });

    const after = await deps.store.users.findById(user.id);
    expect(after?.emailVerified).toBe(true);
    expect(await deps.passwords.verify(after?.passwordHash ?? '', NEW_PASSWORD)).toBe(true);
    expect(await deps.passwords.verify(after?.passwordHash ?? '', PASSWORD)).toBe(false);
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedReason: 'password_reset',
    });
    expect((await deps.store.sessions.findById(reset.sessionId))?.revokedAt).toBeNull();
    const [event] = deps.events.ofType('PASSWORD_RESET');
    expect(event).toMatchObject({ userId: user.id, revokedSessions: 1 });
    const notices = (await deps.store.outbox.list(['pending'], 10)).filter(
      (mail) => mail.kind === 'password_changed',
    );
    expect(notices.map((mail) => mail.recipient)).toEqual(['reset@example.com']);
  });

  it('of 20 concurrent uses of one token exactly one succeeds', async () => {
    deps = await createTestAuthDeps();
    const { user } = await account('race@example.com');
    const token = await resetToken(user);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        resetPassword(deps, { token, newPassword: NEW_PASSWORD }, CLIENT),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((candidate) => !candidate.ok)) {
      expect(expectFailure(result)).toEqual({ reason: 'LINK_INVALID', field: 'token' });
    }
    expect(deps.events.ofType('PASSWORD_RESET')).toHaveLength(1);
  });

  it('answers LINK_EXPIRED past PASSWORD_RESET_TTL, changing nothing', async () => {
    deps = await createTestAuthDeps({ env: { PASSWORD_RESET_TTL: '30m' } });
    const { user } = await account('late@example.com');
    const token = await resetToken(user);
    deps.clock.advanceSeconds(30 * 60);
    expect(
      expectFailure(await resetPassword(deps, { token, newPassword: NEW_PASSWORD }, CLIENT)),
    ).toEqual({ reason: 'LINK_EXPIRED', field: 'token' });
    expect((await deps.store.users.findById(user.id))?.passwordHash).toBe(user.passwordHash);
  });

  it('refuses a new password the policy refuses, keeping the token', async () => {
    deps = await createTestAuthDeps();
    const { user } = await account('policy@example.com');
    const token = await resetToken(user);
    const short = await resetPassword(deps, { token, newPassword: 'short' }, CLIENT);
    expect(expectFailure(short)).toMatchObject({ reason: 'PASSWORD_TOO_SHORT' });
    expectSuccess(await resetPassword(deps, { token, newPassword: NEW_PASSWORD }, CLIENT));
  });
});

describe(`${testStoreKind()}: a new password voids the reset links`, () => {
  it.each(['a password change', 'a reset'] as const)(
    '%s voids the outstanding reset token and drops the reset mail not yet sent',
    async (how) => {
      deps = await createTestAuthDeps();
      const mail = captureMailOf(deps);
      const { grant, user } = await account('voided@example.com');
      expect(expectSuccess(await requestPasswordReset(deps, user.email, CLIENT))).toBe(true);
      const sent = linkTokenOf((await mail.deliverTo(user.email)).at(-1));
      // A second request, still in the outbox: its link is minted only when it is sent.
      expect(expectSuccess(await requestPasswordReset(deps, user.email, CLIENT))).toBe(true);

      if (how === 'a password change') {
        const viewer = await viewerOf(deps, grant);
        const input = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
        expectSuccess(await changePassword(deps, viewer, input, CLIENT));
      } else {
        const other = await resetToken(user);
        expectSuccess(
          await resetPassword(deps, { token: other, newPassword: NEW_PASSWORD }, CLIENT),
        );
      }

      const again = { token: sent, newPassword: 'yet another long password' };
      expect(expectFailure(await resetPassword(deps, again, CLIENT))).toEqual({
        reason: 'LINK_INVALID',
        field: 'token',
      });
      const resets = (await deps.store.outbox.list(['pending', 'dropped'], 100)).filter(
        (queued) => queued.kind === 'reset_password',
      );
      expect(resets.map((queued) => [queued.state, queued.lastError])).toEqual([
        ['dropped', 'password_changed'],
      ]);
      // No second reset link goes out: only the first request's mail was ever sent.
      const everything = await mail.deliverTo(user.email);
      expect(everything.filter((m) => m.subject === 'Reset your password')).toHaveLength(1);
    },
  );
});
