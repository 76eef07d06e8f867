import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { claimsOf, enrolTotp, logIn, reasonOf } from '../../helpers/mfa.js';
import {
  auditOf,
  authenticatorFor,
  finishVerification,
  registerPasskey,
  startVerification,
} from '../../helpers/passkeys.js';

let app: TestApp;
afterEach(() => app.close());

describe('startPasskeyVerification and finishPasskeyVerification', () => {
  it('steps a session restricted with MFA_REQUIRED up to assurance 2, amr pwd and hwk', async () => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { accessToken, user } = await app.signUp('step@example.com');
    await registerPasskey(app, authenticator, accessToken);
    const login = await logIn(app, user.email);
    expect(login.restrictions).toEqual(['MFA_REQUIRED']);

    const started = await startVerification(app, login.accessToken);
    expect(started.errors).toBeUndefined();
    const challenge = started.data?.startPasskeyVerification;
    if (challenge === undefined) throw new Error('no challenge');
    expect(challenge.options.allowCredentials?.map((descriptor) => descriptor.id)).toEqual(
      authenticator.credentials.map((credential) => credential.id),
    );
    expect(challenge.options.userVerification).toBe('required');
    const stepped = await finishVerification(
      app,
      login.accessToken,
      challenge.challengeId,
      authenticator.authenticate(challenge.options),
    );
    expect(stepped.errors).toBeUndefined();
    const pair = stepped.data?.finishPasskeyVerification;
    expect(pair).toMatchObject({ assuranceLevel: 2, restrictions: [] });
    const claims = claimsOf(pair?.accessToken ?? '');
    expect(claims).toMatchObject({
      aal: 'aal2',
      amr: ['pwd', 'hwk'],
      sid: claimsOf(login.accessToken).sid,
    });
    const me = await app.graphql('{ mySessions { id } }', { token: pair?.accessToken });
    expect(me.errors).toBeUndefined();
    expect((await auditOf(app, ['MFA_VERIFIED'])).map((event) => event.detail)).toEqual([
      'PASSKEY',
    ]);
    // The same session: its old refresh token is reuse, with no grace (last: reuse ends it).
    expect(reasonOf(await app.reissue(login.refreshToken)).reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('takes a challenge only from its own session, and a passkey only of its own user', async () => {
    app = await createTestApp();
    const mine = authenticatorFor(app);
    const theirs = authenticatorFor(app);
    const a = await app.signUp('a@example.com');
    await registerPasskey(app, mine, a.accessToken);
    const b = await app.signUp('b@example.com');
    await registerPasskey(app, theirs, b.accessToken);
    const loginA = await logIn(app, 'a@example.com');
    const loginB = await logIn(app, 'b@example.com');

    // B's passkey answering A's challenge.
    const forA = (await startVerification(app, loginA.accessToken)).data?.startPasskeyVerification;
    if (forA === undefined) throw new Error('no challenge');
    const foreign = theirs.authenticate(
      { ...forA.options, allowCredentials: [] },
      { credentialId: theirs.credentials[0]?.id },
    );
    const refused = await finishVerification(app, loginA.accessToken, forA.challengeId, foreign);
    expect(reasonOf(refused)).toEqual({ code: 'BAD_USER_INPUT', reason: 'PASSKEY_REJECTED' });

    // A's challenge finished by B's session.
    const again = (await startVerification(app, loginA.accessToken)).data?.startPasskeyVerification;
    if (again === undefined) throw new Error('no challenge');
    const stolen = await finishVerification(
      app,
      loginB.accessToken,
      again.challengeId,
      theirs.authenticate(
        { ...again.options, allowCredentials: [] },
        { credentialId: theirs.credentials[0]?.id },
      ),
    );
    expect(reasonOf(stolen).reason).toBe('PASSKEY_REJECTED');
    const audit = await auditOf(app, ['PASSKEY_REJECTED']);
    expect(audit.map((event) => event.detail)).toEqual([
      'VERIFICATION_UNKNOWN_CREDENTIAL',
      'VERIFICATION_CHALLENGE',
    ]);
  });

  it.each([
    ['no user verification', { userVerified: false }],
    ['a counter gone backwards', { counter: 0 }],
    ['a broken signature', { tamperSignature: true }],
  ])('refuses an assertion with %s as PASSKEY_REJECTED', async (_what, overrides) => {
    app = await createTestApp();
    const authenticator = authenticatorFor(app);
    const { accessToken, user } = await app.signUp();
    await registerPasskey(app, authenticator, accessToken);
    // One genuine use first, so the stored counter is above zero.
    const first = await logIn(app, user.email);
    const warmUp = (await startVerification(app, first.accessToken)).data?.startPasskeyVerification;
    if (warmUp === undefined) throw new Error('no challenge');
    await finishVerification(
      app,
      first.accessToken,
      warmUp.challengeId,
      authenticator.authenticate(warmUp.options),
    );

    const login = await logIn(app, user.email);
    const challenge = (await startVerification(app, login.accessToken)).data
      ?.startPasskeyVerification;
    if (challenge === undefined) throw new Error('no challenge');
    const response = authenticator.authenticate(challenge.options, overrides);
    const refused = await finishVerification(
      app,
      login.accessToken,
      challenge.challengeId,
      response,
    );
    expect(reasonOf(refused)).toEqual({ code: 'BAD_USER_INPUT', reason: 'PASSKEY_REJECTED' });
    const still = await app.graphql('{ mySessions { id } }', { token: login.accessToken });
    expect(reasonOf(still).reason).toBe('MFA_REQUIRED');
  });

  it('answers NO_PASSKEY for an account whose factor is TOTP only', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    await enrolTotp(app, accessToken);
    const login = await logIn(app, user.email);
    const answer = await startVerification(app, login.accessToken);
    expect(reasonOf(answer)).toEqual({ code: 'BAD_USER_INPUT', reason: 'NO_PASSKEY' });
  });
});
