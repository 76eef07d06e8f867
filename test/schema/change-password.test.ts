import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, PAIR_FIELDS, PASSWORD, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ${PAIR_FIELDS} } }`;
const NEW_PASSWORD = 'a brand new passphrase';

function changePassword(token: string, currentPassword: string, newPassword: string) {
  return app.graphql<{ changePassword: { accessToken: string; refreshToken: string } }>(CHANGE, {
    token,
    variables: { input: { currentPassword, newPassword } },
  });
}

describe('changePassword', () => {
  it('ends every other session and returns a fresh pair for the current one', async () => {
    app = await createTestApp();
    const other = await app.signUp('change@example.com');
    const current = await app.login('change@example.com', PASSWORD);

    const response = await changePassword(current.accessToken, PASSWORD, NEW_PASSWORD);
    const pair = response.data?.changePassword;
    if (!pair) throw new Error(JSON.stringify(response.errors));

    // Other sessions: refused at once.
    expect(
      firstError(await app.graphql('{ me { id } }', { token: other.accessToken }))?.reason,
    ).toBe('SESSION_REVOKED');
    expect(firstError(await app.reissue(other.refreshToken))?.reason).toBe('SESSION_REVOKED');
    // The current session continues with the new pair.
    expect(
      (await app.graphql('{ me { id } }', { token: pair.accessToken })).errors,
    ).toBeUndefined();
    expect((await app.reissue(pair.refreshToken)).errors).toBeUndefined();
    // Only the new password logs in.
    await expect(app.login('change@example.com', PASSWORD)).rejects.toThrow(/INVALID_CREDENTIALS/);
    await app.login('change@example.com', NEW_PASSWORD);
  });

  it('retires the current session’s old refresh token with no grace: presenting it is reuse', async () => {
    app = await createTestApp();
    const before = await app.signUp();
    const response = await changePassword(before.accessToken, PASSWORD, NEW_PASSWORD);
    expect(response.errors).toBeUndefined();
    expect(firstError(await app.reissue(before.refreshToken))?.reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('refuses a wrong current password and changes nothing', async () => {
    app = await createTestApp();
    const other = await app.signUp('wrong@example.com');
    const current = await app.login('wrong@example.com', PASSWORD);
    const response = await changePassword(current.accessToken, 'not the password', NEW_PASSWORD);
    expect(firstError(response)).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'WRONG_PASSWORD',
      field: 'currentPassword',
    });
    expect(
      (await app.graphql('{ me { id } }', { token: other.accessToken })).errors,
    ).toBeUndefined();
    await app.login('wrong@example.com', PASSWORD);
  });

  it.each([
    ['a too short new password', PASSWORD, 'short', 'PASSWORD_TOO_SHORT', 'newPassword'],
    ['an unchanged password', PASSWORD, PASSWORD, 'PASSWORD_UNCHANGED', 'newPassword'],
    [
      'a megabyte current password',
      'p'.repeat(1_000_000),
      NEW_PASSWORD,
      'PASSWORD_TOO_LONG',
      'currentPassword',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT',
    async (_name, currentPassword, newPassword, reason, field) => {
      app = await createTestApp();
      const { accessToken } = await app.signUp();
      const response = await changePassword(accessToken, currentPassword, newPassword);
      expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', reason, field });
    },
  );

  it('needs an access token', async () => {
    app = await createTestApp();
    const response = await app.graphql(CHANGE, {
      variables: { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
    });
    expect(firstError(response)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
  });

  it('lets exactly one of two concurrent changes win', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp('race@example.com');
    const results = await Promise.all([
      changePassword(accessToken, PASSWORD, 'first new password'),
      changePassword(accessToken, PASSWORD, 'second new password'),
    ]);
    const winners = results.filter((result) => result.errors === undefined);
    expect(winners).toHaveLength(1);
    const loser = results.find((result) => result.errors !== undefined);
    expect(firstError(loser ?? { status: 0 })?.reason).toBe('WRONG_PASSWORD');
  });
});
