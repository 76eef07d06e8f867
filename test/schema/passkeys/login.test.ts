import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { claimsOf, enrolTotp, reasonOf } from '../../helpers/mfa.js';
import {
  auditOf,
  authenticatorFor,
  finishLogin,
  logInWithPasskey,
  registerPasskey,
  startLogin,
} from '../../helpers/passkeys.js';
import type { SoftwareAuthenticator } from '../../helpers/software-authenticator.js';

let app: TestApp;
afterEach(() => app.close());

/** An account with one passkey on `authenticator`. */
async function accountWithPasskey(
  authenticator: SoftwareAuthenticator,
  email = `pk${Math.random().toString(36).slice(2)}@example.com`,
): Promise<{ email: string; userId: string; factorId: string }> {
  const { accessToken, user } = await app.signUp(email);
  const registered = await registerPasskey(app, authenticator, accessToken);
  return { email, userId: user.id, factorId: registered.factor.id };
}

describe('startPasskeyLogin and finishPasskeyLogin', () => {
  it('logs in with a discoverable passkey at assurance 2, amr hwk, and no factor asked for', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { accessToken, user } = await app.signUp('disc@example.com');
    // A TOTP factor too: a passkey login is not asked for it.
    const { pair } = await enrolTotp(app, accessToken);
    await registerPasskey(app, authenticator, pair.accessToken);

    const { challengeId, options } = await startLogin(app);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.allowCredentials ?? []).toEqual([]);
    const answer = await finishLogin(app, challengeId, authenticator.authenticate(options));
    expect(answer.errors).toBeUndefined();
    const login = answer.data?.finishPasskeyLogin;
    expect(login).toMatchObject({ assuranceLevel: 2, restrictions: [] });
    const claims = claimsOf(login?.accessToken ?? '');
    expect(claims).toMatchObject({ sub: user.id, aal: 'aal2', amr: ['hwk'] });
    expect(String(claims.scope).split(' ')).toContain('aal2');
    const me = await app.graphql('{ me { email } mySessions { id } }', {
      token: login?.accessToken,
    });
    expect(me.errors).toBeUndefined();
    expect(me.data).toMatchObject({ me: { email: 'disc@example.com' } });
    expect((await auditOf(app, ['PASSKEY_LOGIN'])).map((event) => event.userId)).toEqual([user.id]);
  });

  it('names the account’s passkeys when asked by email, and made-up ones otherwise', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { email } = await accountWithPasskey(authenticator, 'known@example.com');
    await app.signUp('nokeys@example.com');

    const known = await startLogin(app, email);
    const ids = (known.options.allowCredentials ?? []).map((descriptor) => descriptor.id);
    expect(ids).toEqual(authenticator.credentials.map((credential) => credential.id));
    const ok = await finishLogin(app, known.challengeId, authenticator.authenticate(known.options));
    expect(ok.data?.finishPasskeyLogin.assuranceLevel).toBe(2);

    const unknown = await startLogin(app, 'nobody@example.com');
    const withoutKeys = await startLogin(app, 'nokeys@example.com');
    for (const decoy of [unknown, withoutKeys]) {
      const allowed = decoy.options.allowCredentials ?? [];
      expect(allowed.length).toBeGreaterThanOrEqual(1);
      // The same shape as a real answer: ids of credential length, transports, the same keys.
      expect(Object.keys(decoy.options).sort()).toEqual(Object.keys(known.options).sort());
      for (const descriptor of allowed) {
        expect(Buffer.from(descriptor.id, 'base64url').length).toBeGreaterThanOrEqual(16);
        expect(descriptor.transports).toEqual(expect.arrayContaining(['internal']));
      }
    }
    // Stable for one email (asking again tells nothing), different for another.
    const unknownAgain = await startLogin(app, 'Nobody@Example.com');
    expect(unknownAgain.options.allowCredentials).toEqual(unknown.options.allowCredentials);
    expect(unknown.options.allowCredentials).not.toEqual(withoutKeys.options.allowCredentials);

    // Finishing with a made-up id fails as a wrong password does.
    const decoyId = unknown.options.allowCredentials?.[0]?.id ?? '';
    const forged = authenticator.authenticate(
      { ...unknown.options, allowCredentials: [] },
      { credentialId: authenticator.credentials[0]?.id },
    );
    const refused = await finishLogin(app, unknown.challengeId, {
      ...forged,
      id: decoyId,
      rawId: decoyId,
    });
    expect(reasonOf(refused)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
  });

  it.each([
    ['no user verification', { userVerified: false }, 'LOGIN_SIGNATURE'],
    ['another origin', { origin: 'https://evil.example.com' }, 'LOGIN_SIGNATURE'],
    ['another RP ID', { rpId: 'evil.example.com' }, 'LOGIN_SIGNATURE'],
    ['a broken signature', { tamperSignature: true }, 'LOGIN_SIGNATURE'],
  ])(
    'refuses an assertion with %s as INVALID_CREDENTIALS, audited',
    async (_what, overrides, detail) => {
      app = await createTestApp();
      const authenticator = authenticatorFor(app);
      const { userId } = await accountWithPasskey(authenticator);
      const refused = await logInWithPasskey(app, authenticator, undefined, overrides);
      expect(reasonOf(refused)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
      const audit = await auditOf(app, ['PASSKEY_REJECTED', 'PASSKEY_LOGIN']);
      expect(audit.map((event) => [event.type, event.detail, event.userId])).toEqual([
        ['PASSKEY_REJECTED', detail, userId],
      ]);
    },
  );

  it('refuses an assertion whose user handle names another account', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { userId } = await accountWithPasskey(authenticator);
    const other = await app.signUp('someone-else@example.com');
    const { challengeId, options } = await startLogin(app);
    const signed = authenticator.authenticate(options);
    // The user handle is not signed over: a client could name anyone. It must be the owner.
    const forged = {
      ...signed,
      response: {
        ...signed.response,
        userHandle: Buffer.from(other.user.id).toString('base64url'),
      },
    };
    const refused = await finishLogin(app, challengeId, forged);
    expect(reasonOf(refused)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    const audit = await auditOf(app, ['PASSKEY_REJECTED']);
    expect(audit.map((event) => [event.detail, event.userId])).toEqual([
      ['LOGIN_USER_HANDLE_MISMATCH', userId],
    ]);
  });

  it('refuses a replayed assertion: the challenge is used up', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    await accountWithPasskey(authenticator);
    const { challengeId, options } = await startLogin(app);
    const response = authenticator.authenticate(options);
    expect((await finishLogin(app, challengeId, response)).errors).toBeUndefined();
    const replayed = await finishLogin(app, challengeId, response);
    expect(reasonOf(replayed).reason).toBe('INVALID_CREDENTIALS');
    // Nor does a fresh challenge take an answer signed for another one.
    const fresh = await startLogin(app);
    expect(reasonOf(await finishLogin(app, fresh.challengeId, response)).reason).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('refuses an expired challenge and an unknown credential', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    await accountWithPasskey(authenticator);
    const late = await startLogin(app);
    app.clock.advanceSeconds(5 * 60);
    const expired = await finishLogin(
      app,
      late.challengeId,
      authenticator.authenticate(late.options),
    );
    expect(reasonOf(expired).reason).toBe('INVALID_CREDENTIALS');

    // A credential this service never registered (same RP, another authenticator).
    const stranger = authenticatorFor(app);
    stranger.register({
      challenge: 'AAAA',
      rp: { id: 'localhost', name: 'x' },
      user: { id: 'dXNlcg', name: 'u', displayName: 'u' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const unknown = await logInWithPasskey(app, stranger);
    expect(reasonOf(unknown).reason).toBe('INVALID_CREDENTIALS');
    const audit = await auditOf(app, ['PASSKEY_REJECTED']);
    expect(audit.map((event) => event.detail)).toEqual([
      'LOGIN_CHALLENGE',
      'LOGIN_UNKNOWN_CREDENTIAL',
    ]);
  });

  it('refuses a counter that goes backwards, as a possibly cloned credential', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { userId, factorId } = await accountWithPasskey(authenticator);
    for (let n = 0; n < 3; n += 1) {
      expect((await logInWithPasskey(app, authenticator)).errors).toBeUndefined();
    }
    expect((await app.deps.store.factors.findById(factorId))?.signCount).toBe(3);
    const cloned = await logInWithPasskey(app, authenticator, undefined, { counter: 2 });
    expect(reasonOf(cloned).reason).toBe('INVALID_CREDENTIALS');
    const same = await logInWithPasskey(app, authenticator, undefined, { counter: 3 });
    expect(reasonOf(same).reason).toBe('INVALID_CREDENTIALS');
    const audit = await auditOf(app, ['PASSKEY_REJECTED']);
    expect(audit.map((event) => [event.detail, event.userId])).toEqual([
      ['LOGIN_COUNTER_REGRESSED', userId],
      ['LOGIN_COUNTER_REGRESSED', userId],
    ]);
    // The genuine authenticator, a step ahead, still logs in.
    expect((await logInWithPasskey(app, authenticator)).errors).toBeUndefined();
  });

  it('logs in again and again with a passkey that keeps no counter', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app, { counter: 'none' });
    await accountWithPasskey(authenticator);
    for (let n = 0; n < 3; n += 1) {
      expect((await logInWithPasskey(app, authenticator)).errors).toBeUndefined();
    }
  });

  it('answers ACCOUNT_DISABLED for a valid passkey of a disabled account', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { userId } = await accountWithPasskey(authenticator);
    await app.deps.store.accounts.setDisabled({ userId, disabled: true, now: app.clock.now() });
    const refused = await logInWithPasskey(app, authenticator);
    expect(reasonOf(refused)).toEqual({ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_DISABLED' });
    // A bad assertion of that account says nothing about it.
    const bad = await logInWithPasskey(app, authenticator, undefined, { tamperSignature: true });
    expect(reasonOf(bad).reason).toBe('INVALID_CREDENTIALS');
  });

  it('limits the starts and finishes per client address (RATE_LIMIT_PASSKEY_IP)', async () => {
    app = await createTestApp({ RATE_LIMIT_PASSKEY_IP: '3/1m' });
    const start = () =>
      app.graphql('mutation { startPasskeyLogin { challengeId } }', {
        remoteAddress: '198.51.100.7',
      });
    for (let n = 0; n < 3; n += 1) expect((await start()).errors).toBeUndefined();
    expect(reasonOf(await start())).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'RATE_LIMITED' });
    const elsewhere = await app.graphql('mutation { startPasskeyLogin { challengeId } }', {
      remoteAddress: '198.51.100.8',
    });
    expect(elsewhere.errors).toBeUndefined();
  });

  it('refuses a malformed email and a response that is not an assertion', async () => {
    app = await createTestApp();
    const bad = await app.graphql(
      'mutation { startPasskeyLogin(email: "not an email") { challengeId } }',
    );
    expect(reasonOf(bad)).toEqual({ code: 'BAD_USER_INPUT', reason: 'INVALID_EMAIL' });
    const { challengeId } = await startLogin(app);
    const refused = await finishLogin(app, challengeId, { id: 1, response: [] });
    expect(reasonOf(refused).reason).toBe('INVALID_CREDENTIALS');
  });
});
