import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { captureMail } from '../../helpers/mail.js';
import {
  claimsOf,
  codeNow,
  enrolTotp,
  logIn,
  reasonOf,
  verifyRecoveryCode,
  verifyTotp,
} from '../../helpers/mfa.js';

let app: TestApp;
afterEach(() => app.close());

describe('recovery codes', () => {
  it('step a session up once each, in any case and spacing, and say how many remain', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const { accessToken, user } = await app.signUp();
    const { recoveryCodes } = await enrolTotp(app, accessToken);
    const [code] = recoveryCodes;
    if (code === undefined) throw new Error('no recovery codes');
    const login = await logIn(app, user.email);
    const typed = code.toLowerCase().replaceAll('-', ' ');
    const used = await verifyRecoveryCode(app, login.accessToken, typed);
    expect(used.errors).toBeUndefined();
    const claims = claimsOf(used.data?.verifyRecoveryCode.accessToken ?? '');
    expect(claims).toMatchObject({ aal: 'aal2', amr: ['pwd', 'otp'] });

    const again = await verifyRecoveryCode(app, (await logIn(app, user.email)).accessToken, code);
    expect(reasonOf(again)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CODE' });
    const me = await app.graphql<{ me: { recoveryCodesRemaining: number } }>(
      '{ me { recoveryCodesRemaining } }',
      { token: used.data?.verifyRecoveryCode.accessToken ?? '' },
    );
    expect(me.data?.me.recoveryCodesRemaining).toBe(9);
    const notice = (await mail.deliverTo(user.email)).find(
      (sent) => sent.subject === 'A recovery code was used',
    );
    expect(notice?.text).toContain('9 codes remain');
    expect(notice?.text).not.toContain(code);
  });

  it('are single use under 10 concurrent uses of one code', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    const { recoveryCodes } = await enrolTotp(app, accessToken);
    const sessions = await Promise.all(Array.from({ length: 10 }, () => logIn(app, user.email)));
    const answers = await Promise.all(
      sessions.map((session) =>
        verifyRecoveryCode(app, session.accessToken, recoveryCodes[3] ?? ''),
      ),
    );
    const accepted = answers.filter((answer) => answer.errors === undefined);
    expect(accepted).toHaveLength(1);
    for (const refused of answers.filter((answer) => answer.errors !== undefined)) {
      expect(reasonOf(refused).reason).toBe('INVALID_CODE');
    }
  });

  it('are replaced by regenerateRecoveryCodes, which needs a recent authentication', async () => {
    app = await createTestApp({ REAUTH_MAX_AGE: '15m' });
    const mail = captureMail(app);
    const { accessToken, user } = await app.signUp();
    const { recoveryCodes, secret, pair } = await enrolTotp(app, accessToken);
    const regenerate = 'mutation { regenerateRecoveryCodes }';
    const fresh = await app.graphql<{ regenerateRecoveryCodes: string[] }>(regenerate, {
      token: pair.accessToken,
    });
    expect(fresh.errors).toBeUndefined();
    const codes = fresh.data?.regenerateRecoveryCodes ?? [];
    expect(codes).toHaveLength(10);
    expect(codes.some((code) => recoveryCodes.includes(code))).toBe(false);
    const login = await logIn(app, user.email);
    expect(
      reasonOf(await verifyRecoveryCode(app, login.accessToken, recoveryCodes[0] ?? '')),
    ).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CODE' });

    // An assurance-1 token is refused, and so is an old step-up.
    const early = await app.graphql(regenerate, { token: accessToken });
    expect(reasonOf(early)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
    app.clock.advanceSeconds(16 * 60);
    const reissued = await app.reissue(pair.refreshToken);
    const stale = await app.graphql(regenerate, {
      token: reissued.data?.reissue.accessToken ?? '',
    });
    expect(reasonOf(stale)).toEqual({ code: 'FORBIDDEN', reason: 'REAUTHENTICATION_REQUIRED' });
    // verifyTotp on a full session refreshes auth_time.
    const refreshed = await verifyTotp(
      app,
      reissued.data?.reissue.accessToken ?? '',
      codeNow(app, secret),
    );
    expect(refreshed.errors).toBeUndefined();
    const again = await app.graphql(regenerate, {
      token: refreshed.data?.verifyTotp.accessToken ?? '',
    });
    expect(again.errors).toBeUndefined();
    const subjects = (await mail.deliverTo(user.email)).map((sent) => sent.subject);
    expect(subjects.filter((subject) => subject === 'New recovery codes were made')).toHaveLength(
      2,
    );
  });

  it('regenerateRecoveryCodes without a factor is NO_MFA_FACTOR', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const answer = await app.graphql('mutation { regenerateRecoveryCodes }', {
      token: accessToken,
    });
    expect(reasonOf(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'NO_MFA_FACTOR' });
  });
});

describe('removeMfaFactor', () => {
  it('needs a recent authentication', async () => {
    app = await createTestApp({ REAUTH_MAX_AGE: '5m' });
    const { accessToken } = await app.signUp();
    const { factorId, pair } = await enrolTotp(app, accessToken);
    app.clock.advanceSeconds(6 * 60);
    const reissued = await app.reissue(pair.refreshToken);
    const stale = await app.graphql('mutation ($f: ID!) { removeMfaFactor(factorId: $f) }', {
      token: reissued.data?.reissue.accessToken ?? '',
      variables: { f: factorId },
    });
    expect(reasonOf(stale)).toEqual({ code: 'FORBIDDEN', reason: 'REAUTHENTICATION_REQUIRED' });
  });

  it('removes the last factor with its recovery codes, and logins are no longer asked', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const { accessToken, user } = await app.signUp();
    const { factorId, pair } = await enrolTotp(app, accessToken);
    const other = await logIn(app, user.email);
    expect(other.restrictions).toEqual(['MFA_REQUIRED']);
    const early = await app.graphql('mutation ($f: ID!) { removeMfaFactor(factorId: $f) }', {
      token: accessToken,
      variables: { f: factorId },
    });
    expect(reasonOf(early)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
    const removed = await app.graphql('mutation ($f: ID!) { removeMfaFactor(factorId: $f) }', {
      token: pair.accessToken,
      variables: { f: factorId },
    });
    expect(removed.data).toEqual({ removeMfaFactor: true });
    const notices = (await mail.deliverTo(user.email)).map((sent) => sent.subject);
    expect(notices).toContain('A second factor was removed from your account');
    const unknown = await app.graphql('mutation ($f: ID!) { removeMfaFactor(factorId: $f) }', {
      token: pair.accessToken,
      variables: { f: factorId },
    });
    expect(unknown.data).toEqual({ removeMfaFactor: false });
    const me = await app.graphql('{ me { mfaEnabled recoveryCodesRemaining } }', {
      token: pair.accessToken,
    });
    expect(me.data).toEqual({ me: { mfaEnabled: false, recoveryCodesRemaining: 0 } });
    expect((await logIn(app, user.email)).restrictions).toEqual([]);
    // A session that was waiting for the factor is no longer asked for it: its access token
    // states the restriction until the next reissue, which lifts it.
    const reissued = await app.graphql<{
      reissue: { accessToken: string; restrictions: string[] };
    }>('mutation { reissue { accessToken restrictions } }', { token: other.refreshToken });
    expect(reissued.data?.reissue.restrictions).toEqual([]);
    const waiting = await app.graphql('{ mySessions { id } }', {
      token: reissued.data?.reissue.accessToken ?? '',
    });
    expect(waiting.errors).toBeUndefined();
  });
});
