import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestApp,
  decodeJwtPart,
  firstError,
  PAIR_FIELDS,
  PASSWORD,
  type TestApp,
  type TokenPairResponse,
} from '../helpers/app.js';
import { type CapturedMail, captureMail, linkTokenOf } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: the account lifecycle through the API, taking each token from the mail that was
// handed to the mailer by the outbox's real sender.

let app: TestApp;
let mail: CapturedMail;
async function setUp(env: Record<string, string> = {}): Promise<void> {
  app = await createTestApp({ AUTH_ADMIN_EMAILS: 'admin@example.com', ...env });
  mail = captureMail(app);
}
afterEach(() => app.close());

const VERIFY = 'mutation ($t: String!) { verifyEmail(token: $t) }';
const CONFIRM = 'mutation ($t: String!) { confirmEmailChange(token: $t) }';
const CHANGE = 'mutation ($input: ChangeEmailInput!) { changeEmail(input: $input) }';
const RESET = `mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { ${PAIR_FIELDS} restrictions } }`;
const ME = '{ me { email emailVerified disabled } }';

async function lastTokenTo(to: string, index = 0): Promise<string> {
  const mails = await mail.deliverTo(to);
  return linkTokenOf(mails.at(-1), index);
}

function loginAnswer(email: string, password: string) {
  return app.graphql(
    `mutation ($input: LoginInput!) { login(input: $input) { accessToken restrictions } }`,
    { variables: { input: { email, password } } },
  );
}

describe(`${testStoreKind()}: verification`, () => {
  it('verifies once; a newer request supersedes the older link', async () => {
    await setUp();
    const account = await app.signUp('v@example.com');
    const first = await lastTokenTo('v@example.com');
    const again = await app.graphql('mutation { requestEmailVerification }', {
      token: account.accessToken,
    });
    expect(again.data).toEqual({ requestEmailVerification: true });
    const second = await lastTokenTo('v@example.com');
    expect(second).not.toBe(first);
    const superseded = await app.graphql(VERIFY, { variables: { t: first } });
    expect(firstError(superseded)).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'LINK_INVALID',
      field: 'token',
    });
    expect((await app.graphql(VERIFY, { variables: { t: second } })).data).toEqual({
      verifyEmail: true,
    });
    const reused = await app.graphql(VERIFY, { variables: { t: second } });
    expect(firstError(reused)).toMatchObject({ reason: 'LINK_INVALID' });
    expect((await app.graphql(ME, { token: account.accessToken })).data).toEqual({
      me: { email: 'v@example.com', emailVerified: true, disabled: false },
    });
    // Verified already: nothing more is sent.
    const done = await app.graphql('mutation { requestEmailVerification }', {
      token: account.accessToken,
    });
    expect(done.data).toEqual({ requestEmailVerification: false });
  });

  it('a reissue after verification carries email_verified: true', async () => {
    await setUp();
    const account = await app.signUp('claim@example.com');
    expect(decodeJwtPart(account.accessToken, 1).email_verified).toBe(false);
    await app.graphql(VERIFY, { variables: { t: await lastTokenTo('claim@example.com') } });
    const reissued = await app.reissue(account.refreshToken);
    const pair = reissued.data?.reissue as TokenPairResponse;
    expect(decodeJwtPart(pair.accessToken, 1).email_verified).toBe(true);
  });
});

describe(`${testStoreKind()}: REQUIRE_EMAIL_VERIFICATION`, () => {
  it('restricts an unverified session to me, logout, requestEmailVerification and changeEmail; the reissue after verifying is full', async () => {
    await setUp({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    const signedUp = await app.graphql<{ signUp: TokenPairResponse & { restrictions: string[] } }>(
      `mutation { signUp(input: { email: "r@example.com", password: "${PASSWORD}" }) { ${PAIR_FIELDS} restrictions } }`,
    );
    const restricted = signedUp.data?.signUp;
    if (restricted === undefined) throw new Error(JSON.stringify(signedUp.errors));
    expect(restricted.restrictions).toEqual(['EMAIL_NOT_VERIFIED']);
    const claims = decodeJwtPart(restricted.accessToken, 1);
    expect(claims.restrictions).toEqual(['EMAIL_NOT_VERIFIED']);
    // No role; only the assurance scope, so a gateway lets it reach changeEmail.
    expect(claims.scope).toBe('no_mfa');

    const token = restricted.accessToken;
    expect((await app.graphql('{ me { email } }', { token })).data).toEqual({
      me: { email: 'r@example.com' },
    });
    const sessions = await app.graphql('{ mySessions { id } }', { token });
    expect(firstError(sessions)).toMatchObject({ code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });
    const resend = await app.graphql('mutation { requestEmailVerification }', { token });
    expect(resend.data).toEqual({ requestEmailVerification: true });

    await app.graphql(VERIFY, { variables: { t: await lastTokenTo('r@example.com') } });
    const reissued = await app.graphql<{
      reissue: { accessToken: string; restrictions: string[] };
    }>('mutation { reissue { accessToken restrictions } }', { token: restricted.refreshToken });
    expect(reissued.data?.reissue.restrictions).toEqual([]);
    const full = reissued.data?.reissue.accessToken ?? '';
    expect(decodeJwtPart(full, 1).restrictions).toBeUndefined();
    expect((await app.graphql('{ mySessions { id } }', { token: full })).data).toMatchObject({
      mySessions: [expect.anything()],
    });
  });

  it('a login of an unverified account is restricted too, and of a verified one is not', async () => {
    await setUp({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    await app.signUp('l@example.com');
    const before = await loginAnswer('l@example.com', PASSWORD);
    expect(before.data).toMatchObject({ login: { restrictions: ['EMAIL_NOT_VERIFIED'] } });
    await app.graphql(VERIFY, { variables: { t: await lastTokenTo('l@example.com') } });
    const after = await loginAnswer('l@example.com', PASSWORD);
    expect(after.data).toMatchObject({ login: { restrictions: [] } });
  });
});

describe(`${testStoreKind()}: password reset`, () => {
  it('answers true and queues the same for unknown and known addresses; limits count both alike', async () => {
    await setUp({ RATE_LIMIT_PASSWORD_RESET_ACCOUNT: '3/15m' });
    await app.signUp('known@example.com');
    for (const email of ['known@example.com', 'unknown@example.com']) {
      const answers = [];
      for (let i = 0; i < 4; i++) {
        const answer = await app.graphql(
          'mutation ($e: String!) { requestPasswordReset(email: $e) }',
          {
            variables: { e: email },
          },
        );
        answers.push(answer.data ?? firstError(answer));
      }
      expect(answers.slice(0, 3)).toEqual(Array(3).fill({ requestPasswordReset: true }));
      expect(answers[3]).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    }
    await mail.sender.deliverDue();
    expect(mail.sent.filter((sent) => sent.to === 'unknown@example.com')).toEqual([]);
    expect(mail.outcomes.filter((o) => o === 'dropped reset_password no_account')).toHaveLength(3);
  });

  it('a token issued before a disable answers ACCOUNT_DISABLED; a disabled account gets no mail', async () => {
    await setUp();
    const admin = await app.signUp('admin@example.com');
    const user = await app.signUp('d@example.com');
    await app.graphql('mutation { requestPasswordReset(email: "d@example.com") }');
    const token = await lastTokenTo('d@example.com');
    await app.graphql('mutation ($id: ID!) { disableUser(userId: $id) }', {
      token: admin.accessToken,
      variables: { id: user.user.id },
    });
    const reset = await app.graphql(RESET, {
      variables: { input: { token, newPassword: 'another good password' } },
    });
    expect(firstError(reset)).toMatchObject({ reason: 'ACCOUNT_DISABLED' });
    const before = mail.sent.length;
    const asked = await app.graphql('mutation { requestPasswordReset(email: "d@example.com") }');
    expect(asked.data).toEqual({ requestPasswordReset: true });
    await mail.sender.deliverDue();
    expect(mail.sent.length).toBe(before);
    expect(mail.outcomes).toContain('dropped reset_password account_disabled');
  });
});

describe(`${testStoreKind()}: email change`, () => {
  it('confirms by the link to the new address; the undo link to the old one restores it and ends every session', async () => {
    await setUp();
    const account = await app.signUp('old@example.com');
    const verifyOld = await lastTokenTo('old@example.com');
    const wrong = await app.graphql(CHANGE, {
      token: account.accessToken,
      variables: { input: { newEmail: 'new@example.com', currentPassword: 'not the password' } },
    });
    expect(firstError(wrong)).toMatchObject({ reason: 'WRONG_PASSWORD' });
    const asked = await app.graphql(CHANGE, {
      token: account.accessToken,
      variables: { input: { newEmail: 'New@Example.com', currentPassword: PASSWORD } },
    });
    expect(asked.data).toEqual({ changeEmail: true });
    const confirmToken = await lastTokenTo('new@example.com');
    const [notice] = (await mail.deliverTo('old@example.com')).filter(
      (sent) => sent.subject === 'Your email address is being changed',
    );
    const undoToken = linkTokenOf(notice);

    expect((await app.graphql(CONFIRM, { variables: { t: confirmToken } })).data).toEqual({
      confirmEmailChange: true,
    });
    expect((await app.graphql(ME, { token: account.accessToken })).data).toEqual({
      me: { email: 'new@example.com', emailVerified: true, disabled: false },
    });
    // A link sent to the old address cannot act on the new one.
    expect(firstError(await app.graphql(VERIFY, { variables: { t: verifyOld } }))).toMatchObject({
      reason: 'LINK_INVALID',
    });

    expect((await app.graphql(CONFIRM, { variables: { t: undoToken } })).data).toEqual({
      confirmEmailChange: true,
    });
    const ended = await app.graphql(ME, { token: account.accessToken });
    expect(firstError(ended)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const back = await loginAnswer('old@example.com', PASSWORD);
    expect(back.data).toMatchObject({ login: { restrictions: [] } });
  });

  it('answers EMAIL_TAKEN at once for an address another account has', async () => {
    await setUp();
    await app.signUp('taken@example.com');
    const account = await app.signUp('mine@example.com');
    const asked = await app.graphql(CHANGE, {
      token: account.accessToken,
      variables: { input: { newEmail: 'taken@example.com', currentPassword: PASSWORD } },
    });
    expect(firstError(asked)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMAIL_TAKEN' });
  });
});

describe(`${testStoreKind()}: disable, enable, delete`, () => {
  it('disable ends every session; only the correct password learns ACCOUNT_DISABLED; enable restores login', async () => {
    await setUp();
    const admin = await app.signUp('admin@example.com');
    const user = await app.signUp('x@example.com');
    const byUser = await app.graphql('mutation ($id: ID!) { disableUser(userId: $id) }', {
      token: user.accessToken,
      variables: { id: admin.user.id },
    });
    expect(firstError(byUser)).toMatchObject({ code: 'FORBIDDEN' });
    const disabled = await app.graphql('mutation ($id: ID!) { disableUser(userId: $id) }', {
      token: admin.accessToken,
      variables: { id: user.user.id },
    });
    expect(disabled.data).toEqual({ disableUser: true });
    expect(firstError(await app.graphql(ME, { token: user.accessToken }))).toMatchObject({
      reason: 'SESSION_REVOKED',
    });
    expect(firstError(await app.reissue(user.refreshToken))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(firstError(await loginAnswer('x@example.com', 'a wrong password'))).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'INVALID_CREDENTIALS',
    });
    expect(firstError(await loginAnswer('x@example.com', PASSWORD))).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'ACCOUNT_DISABLED',
    });
    const enabled = await app.graphql('mutation ($id: ID!) { enableUser(userId: $id) }', {
      token: admin.accessToken,
      variables: { id: user.user.id },
    });
    expect(enabled.data).toEqual({ enableUser: true });
    expect((await loginAnswer('x@example.com', PASSWORD)).data).toMatchObject({
      login: { restrictions: [] },
    });
  });

  it('deleteAccount needs the password, ends the sessions, frees the address, keeps the audit id', async () => {
    await setUp();
    const user = await app.signUp('gone@example.com');
    const other = await app.login('gone@example.com', PASSWORD);
    const wrong = await app.graphql('mutation { deleteAccount(currentPassword: "nope nope") }', {
      token: user.accessToken,
    });
    expect(firstError(wrong)).toMatchObject({ reason: 'WRONG_PASSWORD' });
    const deleted = await app.graphql(
      `mutation { deleteAccount(currentPassword: "${PASSWORD}") }`,
      { token: user.accessToken },
    );
    expect(deleted.data).toEqual({ deleteAccount: true });
    for (const token of [user.accessToken, other.accessToken]) {
      expect(firstError(await app.graphql(ME, { token }))).toMatchObject({
        reason: 'SESSION_REVOKED',
      });
    }
    expect(await app.deps.store.users.findById(user.user.id)).toBeNull();
    const [event] = await app.deps.store.auditEvents.list({ types: ['USER_DELETED'] }, 1);
    expect(event).toMatchObject({ userId: user.user.id });
    expect(JSON.stringify(event)).not.toContain('gone@example.com');
    await app.signUp('gone@example.com');
  });
});
