import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../../helpers/app.js';
import {
  claimsOf,
  codeNow,
  enrolTotp,
  logIn,
  PAIR,
  reasonOf,
  verifyTotp,
} from '../../helpers/mfa.js';

let app: TestApp;
afterEach(() => app.close());

/** An account with a confirmed TOTP factor; returns its email and secret. */
async function accountWithTotp(): Promise<{ email: string; secret: string; codes: string[] }> {
  const { accessToken, user } = await app.signUp();
  const { secret, recoveryCodes } = await enrolTotp(app, accessToken);
  return { email: user.email, secret, codes: recoveryCodes };
}

describe('login with a factor, and verifyTotp', () => {
  it('logs in at assurance 1 with MFA_REQUIRED, and steps the same session up to 2', async () => {
    app = await createTestApp();
    const { email, secret } = await accountWithTotp();
    const login = await logIn(app, email);
    expect(login.assuranceLevel).toBe(1);
    expect(login.restrictions).toEqual(['MFA_REQUIRED']);
    const restricted = claimsOf(login.accessToken);
    expect(restricted).toMatchObject({ aal: 'aal1', amr: ['pwd'], restrictions: ['MFA_REQUIRED'] });
    expect(restricted.roles).toEqual([]);
    expect(restricted.scope).toBe('');

    app.clock.advanceSeconds(5);
    const stepped = await verifyTotp(app, login.accessToken, codeNow(app, secret));
    expect(stepped.errors).toBeUndefined();
    const pair = stepped.data?.verifyTotp;
    expect(pair?.assuranceLevel).toBe(2);
    expect(pair?.restrictions).toEqual([]);
    const claims = claimsOf(pair?.accessToken ?? '');
    expect(claims).toMatchObject({ aal: 'aal2', amr: ['pwd', 'otp'], roles: ['USER'] });
    expect(claims.auth_time).toBe(app.clock.now() / 1000);
    expect(claims.sid).toBe(restricted.sid);
    expect(claims.scope).toBe('USER aal2');

    // The same session: the old refresh token is reuse, with no grace.
    const reused = await app.reissue(login.refreshToken);
    expect(reasonOf(reused).reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('keeps aal, amr and auth_time across reissues', async () => {
    app = await createTestApp();
    const { email, secret } = await accountWithTotp();
    const login = await logIn(app, email);
    const stepped = await verifyTotp(app, login.accessToken, codeNow(app, secret));
    const pair = stepped.data?.verifyTotp;
    const authTime = claimsOf(pair?.accessToken ?? '').auth_time;
    app.clock.advanceSeconds(600);
    const reissued = await app.graphql<{
      reissue: { accessToken: string; assuranceLevel: number };
    }>(`mutation { reissue { ${PAIR} } }`, { token: pair?.refreshToken ?? '' });
    expect(reissued.data?.reissue.assuranceLevel).toBe(2);
    const claims = claimsOf(reissued.data?.reissue.accessToken ?? '');
    expect(claims).toMatchObject({ aal: 'aal2', amr: ['pwd', 'otp'], auth_time: authTime });
  });

  it('accepts a code one step either side, and refuses two steps off', async () => {
    app = await createTestApp();
    const { email, secret } = await accountWithTotp();
    for (const offset of [-1, 1]) {
      app.clock.advanceSeconds(120); // every step used so far is in the past
      const login = await logIn(app, email);
      const answer = await verifyTotp(app, login.accessToken, codeNow(app, secret, offset));
      expect(answer.errors, `offset ${offset}`).toBeUndefined();
    }
    for (const offset of [-2, 2]) {
      app.clock.advanceSeconds(120);
      const login = await logIn(app, email);
      const answer = await verifyTotp(app, login.accessToken, codeNow(app, secret, offset));
      expect(reasonOf(answer), `offset ${offset}`).toEqual({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_CODE',
      });
    }
  });

  it('accepts a code once: a replay in another session is INVALID_CODE', async () => {
    app = await createTestApp();
    const { email, secret } = await accountWithTotp();
    const first = await logIn(app, email);
    const second = await logIn(app, email);
    const code = codeNow(app, secret);
    expect((await verifyTotp(app, first.accessToken, code)).errors).toBeUndefined();
    const replay = await verifyTotp(app, second.accessToken, code);
    expect(reasonOf(replay)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CODE' });
    // An earlier step than the one accepted is stale too.
    const stale = await verifyTotp(app, second.accessToken, codeNow(app, secret, -1));
    expect(reasonOf(stale).reason).toBe('INVALID_CODE');
    app.clock.advanceSeconds(30);
    expect(
      (await verifyTotp(app, second.accessToken, codeNow(app, secret))).errors,
    ).toBeUndefined();
  });

  it('ends a restricted session MFA_CHALLENGE_TTL after the login', async () => {
    app = await createTestApp({ MFA_CHALLENGE_TTL: '2m' });
    const { email, secret } = await accountWithTotp();
    const login = await logIn(app, email);
    expect(claimsOf(login.refreshToken).exp).toBe(app.clock.now() / 1000 + 120);
    app.clock.advanceSeconds(121);
    const late = await verifyTotp(app, login.accessToken, codeNow(app, secret));
    expect(reasonOf(late).code).toBe('UNAUTHENTICATED');
    expect(reasonOf(await app.reissue(login.refreshToken)).code).toBe('UNAUTHENTICATED');
  });

  it('counts every attempt against RATE_LIMIT_MFA_ACCOUNT', async () => {
    app = await createTestApp({ RATE_LIMIT_MFA_ACCOUNT: '3/5m' });
    const { email } = await accountWithTotp();
    app.clock.advanceSeconds(300); // past the window that counted the confirmation
    const login = await logIn(app, email);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(reasonOf(await verifyTotp(app, login.accessToken, '000000')).code).toBe(
        'BAD_USER_INPUT',
      );
    }
    const limited = await verifyTotp(app, login.accessToken, '000000');
    expect(reasonOf(limited)).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    const recovery = await app.graphql(
      'mutation { verifyRecoveryCode(code: "x") { accessToken } }',
      {
        token: login.accessToken,
      },
    );
    expect(reasonOf(recovery).reason).toBe('RATE_LIMITED');
  });

  it('locks TOTP after 100 consecutive failures, until a recovery code is used', async () => {
    app = await createTestApp();
    const { email, secret, codes } = await accountWithTotp();
    const login = await logIn(app, email);
    const wrong = codeNow(app, secret) === '123456' ? '654321' : '123456';
    for (let attempt = 0; attempt < 100; attempt++) {
      expect(reasonOf(await verifyTotp(app, login.accessToken, wrong)).reason).toBe('INVALID_CODE');
    }
    const locked = await verifyTotp(app, login.accessToken, codeNow(app, secret));
    expect(reasonOf(locked)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_LOCKED' });
    // Recovery-code failures do not count towards the lock, and a good code lifts it.
    const badRecovery = await app.graphql(
      'mutation { verifyRecoveryCode(code: "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA") { accessToken } }',
      { token: login.accessToken },
    );
    expect(reasonOf(badRecovery).reason).toBe('INVALID_CODE');
    const recovered = await app.graphql<{ verifyRecoveryCode: { refreshToken: string } }>(
      'mutation ($c: String!) { verifyRecoveryCode(code: $c) { refreshToken } }',
      { token: login.accessToken, variables: { c: codes[0] } },
    );
    expect(recovered.errors).toBeUndefined();
    const next = await logIn(app, email);
    app.clock.advanceSeconds(30);
    expect((await verifyTotp(app, next.accessToken, codeNow(app, secret))).errors).toBeUndefined();
  });
});

describe('what needs assurance 2', () => {
  it('refuses changePassword with an assurance-1 token of an account with a factor', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const { pair } = await enrolTotp(app, accessToken);
    const change = `mutation ($p: String!) { changePassword(input: { currentPassword: $p, newPassword: "a different passphrase" }) { accessToken } }`;
    const early = await app.graphql(change, { token: accessToken, variables: { p: PASSWORD } });
    expect(reasonOf(early)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
    const stepped = await app.graphql(change, {
      token: pair.accessToken,
      variables: { p: PASSWORD },
    });
    expect(stepped.errors).toBeUndefined();
  });

  it('lets an account without a factor change its password at assurance 1', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    expect(claimsOf(accessToken).scope).toBe('USER no_mfa');
    const changed = await app.graphql(
      `mutation { changePassword(input: { currentPassword: "${PASSWORD}", newPassword: "a different passphrase" }) { accessToken } }`,
      { token: accessToken },
    );
    expect(changed.errors).toBeUndefined();
  });
});
