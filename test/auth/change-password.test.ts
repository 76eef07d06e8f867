import { afterEach, describe, expect, it } from 'vitest';
import { type ChangePasswordInput, changePassword } from '../../src/auth/change-password.js';
import { logIn } from '../../src/auth/log-in.js';
import { logOut } from '../../src/auth/log-out.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  signUpUser,
  type TestAuthDeps,
  type TestAuthDepsOptions,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';

const NEW_PASSWORD = 'a brand new passphrase';

let deps: TestAuthDeps;

async function setUp(options: TestAuthDepsOptions = {}) {
  deps = await createTestAuthDeps(options);
  const grant = await signUpUser(deps, 'alice@example.com');
  return { grant, viewer: await viewerOf(deps, grant) };
}

afterEach(() => deps.close());

function change(viewer: Viewer, input: Partial<ChangePasswordInput> = {}, client = CLIENT) {
  const full = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, ...input };
  return changePassword(deps, viewer, full, client);
}

async function logInAlice(password = PASSWORD) {
  return logIn(deps, { email: 'alice@example.com', password }, CLIENT);
}

describe('changePassword', () => {
  it('replaces the hash, ends the other sessions and keeps the viewer in', async () => {
    const { grant, viewer } = await setUp();
    const other = expectSuccess(await logInAlice());
    const bob = await signUpUser(deps, 'bob@example.com');
    deps.clock.advanceSeconds(60);

    const changed = expectSuccess(await change(viewer));
    const user = await deps.store.users.findById(viewer.userId);
    expect(user?.passwordHash).not.toBe(grant.user.passwordHash);
    expect(await deps.passwords.verify(user?.passwordHash ?? '', NEW_PASSWORD)).toBe(true);
    expect(await deps.store.sessions.findById(other.sessionId)).toMatchObject({
      revokedAt: deps.clock.now(),
      revokedReason: 'password_changed',
    });
    expect((await deps.store.sessions.findById(bob.sessionId))?.revokedAt).toBeNull();
    expect(changed.sessionId).toBe(viewer.sessionId);
    expect((await viewerOf(deps, changed)).sessionId).toBe(viewer.sessionId);
    expect(deps.events.ofType('PASSWORD_CHANGED')).toEqual([
      expect.objectContaining({
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        revokedSessions: 1,
      }),
    ]);
    expect(expectFailure(await logInAlice())).toBe('INVALID_CREDENTIALS');
    expectSuccess(await logInAlice(NEW_PASSWORD));
  });

  it('retires the old refresh token with no grace: presenting it at once is reuse', async () => {
    const { grant, viewer } = await setUp();
    const before = await verifiedRefreshToken(deps, grant.tokens.refreshToken);
    const changed = expectSuccess(await change(viewer));
    const after = await verifiedRefreshToken(deps, changed.tokens.refreshToken);

    expect(await deps.store.sessions.findById(viewer.sessionId)).toMatchObject({
      currentRefreshJti: after.tokenId,
      previousRefreshJti: null,
    });
    expect(after.tokenId).not.toBe(before.tokenId);
    expect(expectFailure(await reissueTokens(deps, before, CLIENT))).toBe('REFRESH_TOKEN_REUSED');
  });

  it('refuses a wrong current password, changing nothing', async () => {
    const { grant, viewer } = await setUp();
    const other = expectSuccess(await logInAlice());
    const failure = expectFailure(await change(viewer, { currentPassword: 'not the password' }));
    expect(failure).toEqual({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
    expect((await deps.store.users.findById(viewer.userId))?.passwordHash).toBe(
      grant.user.passwordHash,
    );
    expect((await deps.store.sessions.findById(other.sessionId))?.revokedAt).toBeNull();
    expect(deps.events.ofType('PASSWORD_CHANGE_FAILED')).toEqual([
      expect.objectContaining({
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        detail: 'WRONG_PASSWORD',
      }),
    ]);
  });

  it.each([
    [{ newPassword: 'short' }, { reason: 'PASSWORD_TOO_SHORT', field: 'newPassword' }],
    [{ newPassword: 'x'.repeat(129) }, { reason: 'PASSWORD_TOO_LONG', field: 'newPassword' }],
    [
      { currentPassword: 'x'.repeat(513) },
      { reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' },
    ],
  ])('refuses invalid input (%#) before any Argon2 work', async (input, expected) => {
    const { viewer } = await setUp();
    deps.passwords.resetWork();
    expect(expectFailure(await change(viewer, input))).toEqual(expected);
    expect(deps.passwords.work).toMatchObject({ argon2Hashes: 0, argon2Verifications: 0 });
  });

  it('refuses the current password again, NFKC-equivalent forms included, as PASSWORD_UNCHANGED', async () => {
    const { viewer } = await setUp();
    const same = expectFailure(await change(viewer, { newPassword: PASSWORD }));
    expect(same).toEqual({ reason: 'PASSWORD_UNCHANGED', field: 'newPassword' });
    // Fullwidth letters (U+FF43…) are the same password once NFKC-normalised.
    const fullwidth = await change(viewer, {
      newPassword: '\uff43\uff4f\uff52\uff52\uff45\uff43\uff54 horse battery',
    });
    expect(expectFailure(fullwidth)).toEqual({
      reason: 'PASSWORD_UNCHANGED',
      field: 'newPassword',
    });
  });

  it('says WRONG_PASSWORD, not PASSWORD_UNCHANGED, when a wrong guess repeats itself', async () => {
    const { viewer } = await setUp();
    const guess = 'a wrong guess';
    const failure = expectFailure(
      await change(viewer, { currentPassword: guess, newPassword: guess }),
    );
    expect(failure).toEqual({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  });

  it('refuses a viewer whose session ended meanwhile as SESSION_REVOKED, changing nothing', async () => {
    const { grant, viewer } = await setUp();
    await logOut(deps, viewer, 'CURRENT', CLIENT);
    expect(expectFailure(await change(viewer))).toBe('SESSION_REVOKED');
    expect((await deps.store.users.findById(viewer.userId))?.passwordHash).toBe(
      grant.user.passwordHash,
    );
  });

  it('lets one of two concurrent changes win; the other is WRONG_PASSWORD', async () => {
    const { viewer } = await setUp();
    const [first, second] = await Promise.all([
      change(viewer, { newPassword: 'first new password' }),
      change(viewer, { newPassword: 'second new password' }),
    ]);
    const results = [first, second];
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.flatMap((result) => (result.ok ? [] : [result.failure]))).toEqual([
      { reason: 'WRONG_PASSWORD', field: 'currentPassword' },
    ]);
    const winner = first?.ok ? 'first new password' : 'second new password';
    const stored = (await deps.store.users.findById(viewer.userId))?.passwordHash ?? '';
    expect(await deps.passwords.verify(stored, winner)).toBe(true);
  });
});

describe('changePassword rate limits', () => {
  it('counts attempts per account, whichever address they come from', async () => {
    const rule = { limit: 1, windowSeconds: 60 };
    const { viewer } = await setUp({ rateLimits: { changePasswordPerAccount: rule } });
    expectFailure(await change(viewer, { currentPassword: 'a wrong guess' }));
    deps.passwords.resetWork();

    const limited = await change(viewer, {}, { ...CLIENT, ip: '198.51.100.4' });
    expect(expectFailure(limited)).toEqual({ reason: 'RATE_LIMITED', retryAfter: 60 });
    expect(deps.passwords.work).toMatchObject({ argon2Verifications: 0, argon2Hashes: 0 });
    expect(deps.events.ofType('RATE_LIMITED')).toEqual([
      expect.objectContaining({
        userId: viewer.userId,
        detail: 'changePassword changePasswordPerAccount',
      }),
    ]);
  });
});
