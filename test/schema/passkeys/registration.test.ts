import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp } from '../../helpers/app.js';
import { captureMail } from '../../helpers/mail.js';
import { claimsOf, enrolTotp, logIn, reasonOf } from '../../helpers/mfa.js';
import {
  auditOf,
  authenticatorFor,
  finishRegistration,
  registerPasskey,
  startRegistration,
} from '../../helpers/passkeys.js';

let app: TestApp;
afterEach(() => app.close());

describe('startPasskeyRegistration and finishPasskeyRegistration', () => {
  it('asks for a discoverable credential with user verification and no attestation', async () => {
    app = await createTestApp({ WEBAUTHN_RP_NAME: 'Example Auth' });
    const { accessToken, user } = await app.signUp('opt@example.com');
    const started = await startRegistration(app, accessToken, { name: 'Laptop' });
    expect(started.errors).toBeUndefined();
    const options = started.data?.startPasskeyRegistration.options;
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Example Auth' },
      user: { name: 'opt@example.com', displayName: 'opt@example.com' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    });
    expect(Buffer.from(options?.user.id ?? '', 'base64url').toString()).toBe(user.id);
    // 32 random bytes, fresh each time.
    expect(Buffer.from(options?.challenge ?? '', 'base64url')).toHaveLength(32);
    const again = await startRegistration(app, accessToken);
    expect(again.data?.startPasskeyRegistration.options.challenge).not.toBe(options?.challenge);
  });

  it('stores the passkey, steps the session up with hwk, and brings the first factor’s recovery codes', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const authenticator = authenticatorFor(app, { backupEligible: true, backedUp: true });
    const { accessToken, refreshToken } = await app.signUp('reg@example.com');
    const registered = await registerPasskey(app, authenticator, accessToken, 'Laptop');

    expect(registered.factor).toMatchObject({ type: 'PASSKEY', name: 'Laptop' });
    expect(registered.recoveryCodes).toHaveLength(10);
    expect(registered.tokens.assuranceLevel).toBe(2);
    const claims = claimsOf(registered.tokens.accessToken);
    expect(claims).toMatchObject({ aal: 'aal2', amr: ['pwd', 'hwk'] });
    expect(claims.auth_time).toBe(app.clock.now() / 1000);

    const token = registered.tokens.accessToken;
    const listed = await app.graphql(
      '{ mfaFactors { id type name } me { mfaEnabled recoveryCodesRemaining } }',
      { token },
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data).toEqual({
      mfaFactors: [{ id: registered.factor.id, type: 'PASSKEY', name: 'Laptop' }],
      me: { mfaEnabled: true, recoveryCodesRemaining: 10 },
    });
    // What WebAuthn needs later is stored: the key, the counter, the transports, the backup flags.
    const stored = await app.deps.store.factors.findById(registered.factor.id);
    const credential = authenticator.credentials[0];
    expect(stored).toMatchObject({
      credentialId: credential?.id,
      publicKey: Buffer.from(credential?.publicKey ?? new Uint8Array()).toString('base64url'),
      signCount: 0,
      transports: ['internal'],
      backupEligible: true,
      backedUp: true,
    });

    // A second passkey keeps the codes, and excludeCredentials now names the first.
    const next = await startRegistration(app, token, { name: 'Phone' });
    const excluded = next.data?.startPasskeyRegistration.options.excludeCredentials ?? [];
    expect(excluded.map((descriptor) => descriptor.id)).toEqual([credential?.id]);
    const second = await registerPasskey(app, authenticatorFor(app), token, 'Phone');
    expect(second.recoveryCodes).toEqual([]);

    const notices = await mail.deliverTo('reg@example.com');
    expect(notices.map((sent) => sent.subject)).toContain(
      'A second factor was added to your account',
    );
    const audit = await auditOf(app, ['PASSKEY_REGISTERED']);
    expect(audit.map((event) => event.detail)).toEqual([registered.factor.id, second.factor.id]);

    // The refresh token from before the registration is retired with no grace: reuse (last, as
    // reuse ends the session).
    expect(reasonOf(await app.reissue(refreshToken)).reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('restricts the account’s other sessions at assurance 1 with MFA_REQUIRED', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp('others@example.com');
    const other = await logIn(app, user.email);
    await registerPasskey(app, authenticatorFor(app), accessToken);
    const blocked = await app.graphql('{ mySessions { id } }', { token: other.accessToken });
    expect(reasonOf(blocked)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
    // And a new password login must prove a factor.
    expect((await logIn(app, user.email)).restrictions).toEqual(['MFA_REQUIRED']);
  });

  it('needs a recent authentication, or the current password', async () => {
    app = await createTestApp({ REAUTH_MAX_AGE: '15m' });
    const { refreshToken } = await app.signUp('stale@example.com');
    app.clock.advanceSeconds(16 * 60);
    // A reissued pair keeps the login's auth_time.
    const { accessToken } = (await app.reissue(refreshToken)).data?.reissue ?? { accessToken: '' };
    const stale = await startRegistration(app, accessToken);
    expect(reasonOf(stale)).toEqual({ code: 'FORBIDDEN', reason: 'REAUTHENTICATION_REQUIRED' });
    const wrong = await startRegistration(app, accessToken, { currentPassword: 'not it at all' });
    expect(reasonOf(wrong)).toEqual({ code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD' });
    const right = await startRegistration(app, accessToken, { currentPassword: PASSWORD });
    expect(right.errors).toBeUndefined();
    expect(right.data?.startPasskeyRegistration.challengeId).toEqual(expect.any(String));
  });

  it('needs assurance 2 once the account has a factor, and a full session', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp('aal@example.com');
    await enrolTotp(app, accessToken);
    const restricted = await logIn(app, user.email);
    const answer = await startRegistration(app, restricted.accessToken);
    expect(reasonOf(answer)).toEqual({ code: 'FORBIDDEN', reason: 'MFA_REQUIRED' });
  });

  it('lets a session that must enrol a factor register a passkey as that factor', async () => {
    app = await createTestApp({ MFA_REQUIRED_ROLES: 'USER' });
    const { accessToken } = await app.signUp('enrol@example.com');
    const registered = await registerPasskey(app, authenticatorFor(app), accessToken);
    expect(registered.tokens.restrictions).toEqual([]);
    expect(registered.tokens.assuranceLevel).toBe(2);
  });

  it.each([
    ['no user verification', { userVerified: false }],
    ['another origin', { origin: 'https://evil.example.com' }],
    ['another RP ID', { rpId: 'evil.example.com' }],
  ])(
    'refuses a response with %s as PASSKEY_REJECTED, storing nothing',
    async (_what, overrides) => {
      app = await createTestApp();
      const { accessToken } = await app.signUp();
      const started = await startRegistration(app, accessToken);
      const challenge = started.data?.startPasskeyRegistration;
      if (challenge === undefined) throw new Error('no challenge');
      const response = authenticatorFor(app).register(challenge.options, overrides);
      const refused = await finishRegistration(app, accessToken, challenge.challengeId, response);
      expect(reasonOf(refused)).toEqual({ code: 'BAD_USER_INPUT', reason: 'PASSKEY_REJECTED' });
      expect(refused.errors?.[0]?.extensions?.field).toBe('response');
      expect(await app.graphql('{ mfaFactors { id } }', { token: accessToken })).toMatchObject({
        data: { mfaFactors: [] },
      });
      const audit = await auditOf(app, ['PASSKEY_REJECTED']);
      expect(audit.map((event) => event.detail)).toEqual(['REGISTRATION_INVALID']);
    },
  );

  it('takes a challenge once, only from the session it was issued to, and for 5 minutes', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { accessToken, user } = await app.signUp('once@example.com');
    const other = await logIn(app, user.email);

    // Another session of the same user cannot finish it (and it is used up by the attempt).
    const first = (await startRegistration(app, accessToken)).data?.startPasskeyRegistration;
    if (first === undefined) throw new Error('no challenge');
    const stolen = await finishRegistration(
      app,
      other.accessToken,
      first.challengeId,
      authenticator.register(first.options),
    );
    expect(reasonOf(stolen).reason).toBe('PASSKEY_REJECTED');

    // A late answer is refused.
    const late = (await startRegistration(app, accessToken)).data?.startPasskeyRegistration;
    if (late === undefined) throw new Error('no challenge');
    app.clock.advanceSeconds(5 * 60);
    const expired = await finishRegistration(
      app,
      accessToken,
      late.challengeId,
      authenticatorFor(app).register(late.options),
    );
    expect(reasonOf(expired).reason).toBe('PASSKEY_REJECTED');

    // A replayed answer is refused: the challenge is gone.
    const fresh = (await startRegistration(app, accessToken, { currentPassword: PASSWORD })).data
      ?.startPasskeyRegistration;
    if (fresh === undefined) throw new Error('no challenge');
    const response = authenticatorFor(app).register(fresh.options);
    const accepted = await finishRegistration(app, accessToken, fresh.challengeId, response);
    expect(accepted.errors).toBeUndefined();
    const token = accepted.data?.finishPasskeyRegistration.tokens.accessToken ?? '';
    const replayed = await finishRegistration(app, token, fresh.challengeId, response);
    expect(reasonOf(replayed).reason).toBe('PASSKEY_REJECTED');
    const audit = await auditOf(app, ['PASSKEY_REJECTED']);
    expect(audit.map((event) => event.detail)).toEqual([
      'REGISTRATION_CHALLENGE',
      'REGISTRATION_CHALLENGE',
      'REGISTRATION_CHALLENGE',
    ]);
  });

  it('refuses a response that is not a credential, losing nothing', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const challenge = (await startRegistration(app, accessToken)).data?.startPasskeyRegistration;
    if (challenge === undefined) throw new Error('no challenge');
    for (const response of [
      'text',
      42,
      [],
      { id: 'x' },
      { id: 'x', rawId: 'x', type: 'public-key', response: {} },
    ]) {
      const refused = await finishRegistration(app, accessToken, challenge.challengeId, response);
      expect(reasonOf(refused).reason).toBe('PASSKEY_REJECTED');
    }
  });

  it('allows 20 passkeys; the 21st is TOO_MANY_PASSKEYS', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp('many@example.com');
    let token = accessToken;
    for (let n = 1; n <= 20; n += 1) {
      token = (await registerPasskey(app, authenticatorFor(app), token, `Key ${n}`)).tokens
        .accessToken;
    }
    const refused = await startRegistration(app, token);
    expect(reasonOf(refused)).toEqual({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_PASSKEYS' });
    const listed = await app.graphql<{ mfaFactors: unknown[] }>('{ mfaFactors { id } }', { token });
    expect(listed.data?.mfaFactors).toHaveLength(20);
  });

  it('removes a passkey with removeMfaFactor, audited as PASSKEY_REMOVED', async () => {
    app = await createTestApp();
    const mail = captureMail(app);
    const { accessToken } = await app.signUp('rm@example.com');
    const registered = await registerPasskey(app, authenticatorFor(app), accessToken, 'Old key');
    const token = registered.tokens.accessToken;
    const removed = await app.graphql('mutation ($f: ID!) { removeMfaFactor(factorId: $f) }', {
      token,
      variables: { f: registered.factor.id },
    });
    expect(removed.data).toEqual({ removeMfaFactor: true });
    const after = await app.graphql(
      '{ mfaFactors { id } me { mfaEnabled recoveryCodesRemaining } }',
      { token },
    );
    expect(after.data).toEqual({
      mfaFactors: [],
      me: { mfaEnabled: false, recoveryCodesRemaining: 0 },
    });
    const audit = await auditOf(app, ['PASSKEY_REMOVED']);
    expect(audit.map((event) => event.detail)).toEqual([registered.factor.id]);
    const notices = await mail.deliverTo('rm@example.com');
    expect(notices.map((sent) => sent.subject)).toContain(
      'A second factor was removed from your account',
    );
  });
});
