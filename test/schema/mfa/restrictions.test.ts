import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../../helpers/app.js';
import { captureMail, linkTokenOf } from '../../helpers/mail.js';
import {
  claimsOf,
  codeNow,
  enrolTotp,
  logIn,
  PAIR,
  reasonOf,
  startTotp,
  verifyRecoveryCode,
  verifyTotp,
} from '../../helpers/mfa.js';

let app: TestApp;
afterEach(() => app.close());

/** One operation per field a restricted session might try, and what it needs beyond a token. */
const FIELDS: Readonly<Record<string, string>> = {
  me: '{ me { id } }',
  mfaFactors: '{ mfaFactors { id } }',
  mySessions: '{ mySessions { id } }',
  users: '{ users { id } }',
  auditEvents: '{ auditEvents(first: 1) { edges { cursor } } }',
  logout: 'mutation { logout(scope: OTHERS) }',
  changePassword: `mutation { changePassword(input: { currentPassword: "${PASSWORD}", newPassword: "another passphrase" }) { accessToken } }`,
  changeEmail: `mutation { changeEmail(input: { newEmail: "elsewhere@example.com", currentPassword: "${PASSWORD}" }) }`,
  requestEmailVerification: 'mutation { requestEmailVerification }',
  deleteAccount: `mutation { deleteAccount(currentPassword: "wrong password here") }`,
  revokeSession: 'mutation { revokeSession(id: "none") }',
  enrollTotp: `mutation { enrollTotp(currentPassword: "${PASSWORD}") { factorId } }`,
  confirmTotp: 'mutation { confirmTotp(factorId: "none", code: "000000") { recoveryCodes } }',
  verifyTotp: 'mutation { verifyTotp(code: "000000") { accessToken } }',
  verifyRecoveryCode: 'mutation { verifyRecoveryCode(code: "AAAAA") { accessToken } }',
  regenerateRecoveryCodes: 'mutation { regenerateRecoveryCodes }',
  removeMfaFactor: 'mutation { removeMfaFactor(factorId: "none") }',
};

/** The fields a token reaches: those not refused with FORBIDDEN and a restriction reason. */
async function reasonsFor(token: string): Promise<Record<string, unknown>> {
  const reasons: Record<string, unknown> = {};
  for (const [field, query] of Object.entries(FIELDS)) {
    const answer = await app.graphql(query, { token });
    const { code, reason } = reasonOf(answer);
    reasons[field] = code === 'FORBIDDEN' ? reason : 'reached';
  }
  return reasons;
}

describe('restricted sessions', () => {
  it('MFA_REQUIRED reaches only me, logout, mfaFactors, verifyTotp and verifyRecoveryCode', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    await enrolTotp(app, accessToken);
    const login = await logIn(app, user.email);
    const reached = ['me', 'logout', 'mfaFactors', 'verifyTotp', 'verifyRecoveryCode'];
    const reasons = await reasonsFor(login.accessToken);
    for (const [field, reason] of Object.entries(reasons)) {
      expect(reason, field).toBe(reached.includes(field) ? 'reached' : 'MFA_REQUIRED');
    }
  });

  it('MFA_REQUIRED_ROLES: an ADMIN without a factor must enrol before anything else', async () => {
    app = await createTestApp({
      AUTH_ADMIN_EMAILS: 'admin@example.com',
      MFA_REQUIRED_ROLES: 'ADMIN',
    });
    const admin = await app.signUp('admin@example.com');
    const signUp = claimsOf(admin.accessToken);
    expect(signUp.restrictions).toEqual(['MFA_ENROLLMENT_REQUIRED']);
    const login = await logIn(app, 'admin@example.com');
    expect(login.restrictions).toEqual(['MFA_ENROLLMENT_REQUIRED']);
    const reached = ['me', 'logout', 'mfaFactors', 'enrollTotp', 'confirmTotp'];
    const reasons = await reasonsFor(login.accessToken);
    for (const [field, reason] of Object.entries(reasons)) {
      expect(reason, field).toBe(reached.includes(field) ? 'reached' : 'MFA_ENROLLMENT_REQUIRED');
    }
    // (logout OTHERS ended the sign-up's session just now.)
    const waiting = await logIn(app, 'admin@example.com');
    // Enrolling lifts it: the confirming session is full and at assurance 2.
    const { pair } = await enrolTotp(app, login.accessToken);
    expect(pair.restrictions).toEqual([]);
    expect(
      (await app.graphql('{ users { id } }', { token: pair.accessToken })).errors,
    ).toBeUndefined();
    // The admin's other sessions now need the factor itself.
    const other = await app.graphql<{ reissue: { restrictions: string[] } }>(
      'mutation { reissue { restrictions } }',
      { token: waiting.refreshToken },
    );
    expect(other.errors).toBeUndefined();
    expect(other.data?.reissue.restrictions).toEqual(['MFA_REQUIRED']);
    const plainUser = await app.signUp('plain@example.com');
    expect(claimsOf(plainUser.accessToken).restrictions).toBeUndefined();
  });

  it('several restrictions: each remedy stays reachable, and the first restriction is reported', async () => {
    app = await createTestApp({
      AUTH_ADMIN_EMAILS: 'admin@example.com',
      MFA_REQUIRED_ROLES: 'ADMIN',
      REQUIRE_EMAIL_VERIFICATION: 'true',
    });
    const admin = await app.signUp('admin@example.com');
    expect(claimsOf(admin.accessToken).restrictions).toEqual([
      'EMAIL_NOT_VERIFIED',
      'MFA_ENROLLMENT_REQUIRED',
    ]);
    const reached = [
      'me',
      'logout',
      'requestEmailVerification',
      'changeEmail',
      'enrollTotp',
      'confirmTotp',
    ];
    const reasons = await reasonsFor(admin.accessToken);
    for (const [field, reason] of Object.entries(reasons)) {
      expect(reason, field).toBe(reached.includes(field) ? 'reached' : 'EMAIL_NOT_VERIFIED');
    }
  });
});

describe('a password reset does not bypass the factor', () => {
  it('opens a session restricted with MFA_REQUIRED, which TOTP or a recovery code completes', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const { accessToken, user } = await app.signUp('reset@example.com');
    const { secret, recoveryCodes } = await enrolTotp(app, accessToken);
    for (const prove of ['totp', 'recovery'] as const) {
      await app.graphql('mutation { requestPasswordReset(email: "reset@example.com") }');
      const mails = await mail.deliverTo(user.email);
      const token = linkTokenOf(
        mails.filter((sent) => sent.subject === 'Reset your password').at(-1),
      );
      const reset = await app.graphql<{
        resetPassword: { accessToken: string; restrictions: string[]; assuranceLevel: number };
      }>(`mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { ${PAIR} } }`, {
        variables: { input: { token, newPassword: `${PASSWORD} after ${prove}` } },
      });
      expect(reset.errors, prove).toBeUndefined();
      const pair = reset.data?.resetPassword;
      expect(pair?.restrictions).toEqual(['MFA_REQUIRED']);
      expect(pair?.assuranceLevel).toBe(1);
      const blocked = await app.graphql('{ mySessions { id } }', {
        token: pair?.accessToken ?? '',
      });
      expect(reasonOf(blocked).reason).toBe('MFA_REQUIRED');
      app.clock.advanceSeconds(30);
      const proved =
        prove === 'totp'
          ? await verifyTotp(app, pair?.accessToken ?? '', codeNow(app, secret))
          : await verifyRecoveryCode(app, pair?.accessToken ?? '', recoveryCodes[0] ?? '');
      expect(proved.errors, prove).toBeUndefined();
    }
  });
});

describe('a pending factor does not restrict anything', () => {
  it('logins stay unrestricted until confirmTotp', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    await startTotp(app, accessToken);
    expect((await logIn(app, user.email)).restrictions).toEqual([]);
  });
});
