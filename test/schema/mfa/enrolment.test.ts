import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../../helpers/app.js';
import { captureMail } from '../../helpers/mail.js';
import {
  claimsOf,
  codeNow,
  enrolTotp,
  logIn,
  PAIR,
  reasonOf,
  startTotp,
} from '../../helpers/mfa.js';

let app: TestApp;
afterEach(() => app.close());

const CONFIRM = `mutation ($f: ID!, $c: String!) { confirmTotp(factorId: $f, code: $c) { factor { id type name } recoveryCodes tokens { ${PAIR} } } }`;

describe('enrollTotp and confirmTotp', () => {
  it('needs the current password, and describes the factor for an authenticator app', async () => {
    app = await createTestApp({ AUTH_ISSUER: 'https://auth.example.com' });
    const { accessToken, user } = await app.signUp('ann@example.com');
    const wrong = await app.graphql(
      'mutation { enrollTotp(currentPassword: "not the password") { factorId } }',
      { token: accessToken },
    );
    expect(reasonOf(wrong)).toEqual({ code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD' });

    const enrollment = await startTotp(app, accessToken);
    // 160 bits in base32 is 32 characters.
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrollment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('issuer')).toBe('auth.example.com');
    expect(uri.searchParams.get('secret')).toBe(enrollment.secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(decodeURIComponent(uri.pathname)).toContain('ann@example.com');
    expect(enrollment.qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // Pending: not a factor yet, and login is not asked for it.
    const me = await app.graphql('{ me { mfaEnabled recoveryCodesRemaining } mfaFactors { id } }', {
      token: accessToken,
    });
    expect(me.data).toEqual({
      me: { mfaEnabled: false, recoveryCodesRemaining: 0 },
      mfaFactors: [],
    });
    expect((await logIn(app, user.email)).restrictions).toEqual([]);
  });

  it('activates the factor with a current code: assurance 2, 10 recovery codes, a notice', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const { accessToken, refreshToken } = await app.signUp('bea@example.com');
    const { factorId, secret } = await startTotp(app, accessToken);

    const wrong = await app.graphql(CONFIRM, {
      token: accessToken,
      variables: { f: factorId, c: '000000' === codeNow(app, secret) ? '111111' : '000000' },
    });
    expect(reasonOf(wrong)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_CODE' });
    expect(wrong.errors?.[0]?.extensions?.field).toBe('code');

    const confirmed = await app.graphql<{
      confirmTotp: {
        factor: { id: string; type: string; name: string };
        recoveryCodes: string[];
        tokens: { accessToken: string; refreshToken: string; assuranceLevel: number };
      };
    }>(CONFIRM, { token: accessToken, variables: { f: factorId, c: codeNow(app, secret) } });
    expect(confirmed.errors).toBeUndefined();
    const { factor, recoveryCodes, tokens } = confirmed.data?.confirmTotp ?? {};
    expect(factor).toEqual({ id: factorId, type: 'TOTP', name: 'Phone' });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes ?? []) expect(code).toMatch(/^([A-Z2-7]{4}-){5}[A-Z2-7]{4}$/);
    expect(tokens?.assuranceLevel).toBe(2);
    const claims = claimsOf(tokens?.accessToken ?? '');
    expect(claims.aal).toBe('aal2');
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.auth_time).toBe(app.clock.now() / 1000);
    expect(String(claims.scope).split(' ')).toEqual(['USER', 'aal2']);

    // The refresh token from before is retired with no grace: presenting it is reuse.
    const stale = await app.reissue(refreshToken);
    expect(reasonOf(stale).reason).toBe('REFRESH_TOKEN_REUSED');

    const notices = await mail.deliverTo('bea@example.com');
    expect(notices.map((sent) => sent.subject)).toContain(
      'A second factor was added to your account',
    );
    expect(JSON.stringify(notices)).not.toContain(secret);
  });

  it('restricts every other assurance-1 session of the account from its next request', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp('cy@example.com');
    const other = await logIn(app, user.email);
    const before = await app.graphql('{ mySessions { id } }', { token: other.accessToken });
    expect(before.errors).toBeUndefined();

    await enrolTotp(app, accessToken);

    const after = await app.graphql('{ mySessions { id } }', { token: other.accessToken });
    expect(reasonOf(after)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
    // It can still prove the factor; and it ends MFA_CHALLENGE_TTL (10 minutes) from now.
    app.clock.advanceSeconds(9 * 60);
    expect(
      (await app.graphql('{ me { id } }', { token: other.accessToken })).errors,
    ).toBeUndefined();
    app.clock.advanceSeconds(61);
    const ended = await app.graphql('{ me { id } }', { token: other.accessToken });
    expect(reasonOf(ended).code).toBe('UNAUTHENTICATED');
    expect(reasonOf(await app.reissue(other.refreshToken)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired pending factor, another user’s, and a second confirmation', async () => {
    app = await createTestApp();
    const ann = await app.signUp();
    const bob = await app.signUp();
    const pending = await startTotp(app, ann.accessToken);
    const foreign = await app.graphql(CONFIRM, {
      token: bob.accessToken,
      variables: { f: pending.factorId, c: codeNow(app, pending.secret) },
    });
    expect(reasonOf(foreign)).toEqual({ code: 'BAD_USER_INPUT', reason: 'FACTOR_NOT_FOUND' });

    app.clock.advanceSeconds(15 * 60);
    const late = await app.graphql(CONFIRM, {
      token: ann.accessToken,
      variables: { f: pending.factorId, c: codeNow(app, pending.secret) },
    });
    expect(reasonOf(late)).toEqual({ code: 'BAD_USER_INPUT', reason: 'FACTOR_EXPIRED' });

    const fresh = await startTotp(app, ann.accessToken);
    const code = codeNow(app, fresh.secret);
    const first = await app.graphql(CONFIRM, {
      token: ann.accessToken,
      variables: { f: fresh.factorId, c: code },
    });
    expect(first.errors).toBeUndefined();
    const again = await app.graphql(CONFIRM, {
      token: ann.accessToken,
      variables: { f: fresh.factorId, c: code },
    });
    expect(reasonOf(again).reason).toBe('FACTOR_NOT_FOUND');
  });

  it('a second factor needs assurance 2, and keeps the recovery codes issued', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const first = await enrolTotp(app, accessToken);
    // The token from before the confirmation is at assurance 1.
    const refused = await app.graphql(
      `mutation { enrollTotp(currentPassword: "${PASSWORD}") { factorId } }`,
      { token: accessToken },
    );
    expect(reasonOf(refused)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });

    const second = await startTotp(app, first.pair.accessToken);
    const confirmed = await app.graphql<{ confirmTotp: { recoveryCodes: string[] } }>(CONFIRM, {
      token: first.pair.accessToken,
      variables: { f: second.factorId, c: codeNow(app, second.secret) },
    });
    expect(confirmed.data?.confirmTotp.recoveryCodes).toEqual([]);
    const me = await app.graphql<{ me: { recoveryCodesRemaining: number }; mfaFactors: unknown[] }>(
      '{ me { recoveryCodesRemaining } mfaFactors { id } }',
      { token: first.pair.accessToken },
    );
    expect(me.data?.me.recoveryCodesRemaining).toBe(10);
    expect(me.data?.mfaFactors).toHaveLength(2);
  });
});
