import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/auth/client/client-info.js';
import { totpCodeAt } from '../../src/auth/factors/totp.js';
import type { LogoutScope } from '../../src/auth/log-out.js';
import { createLinkToken } from '../../src/auth/recovery/link-tokens.js';
import { type AuthService, createAuthService } from '../../src/auth/service.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import {
  announceGrants,
  type GrantOperationName,
  IGNORE_TOKENS,
  type TokenListener,
} from '../../src/auth/sessions/token-listener.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import { silentLogger } from '../../src/logger.js';
import { failure, type Result, success } from '../../src/result.js';
import { prepareLiveSessions } from '../../src/server.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import {
  createSoftwareAuthenticator,
  type SoftwareAuthenticator,
} from '../helpers/software-authenticator.js';

const CLIENT: ClientInfo = { ip: '192.0.2.7', userAgent: 'service-test' };

interface Heard {
  readonly issued: AuthGrant[];
  readonly ended: string[];
}

function createRecordingListener(): { listener: TokenListener; heard: Heard } {
  const heard: Heard = { issued: [], ended: [] };
  return {
    heard,
    listener: {
      issued: (grant) => heard.issued.push(grant),
      ended: (sessionId) => heard.ended.push(sessionId),
    },
  };
}

let app: TestApp;
/** A service that tells nobody: it prepares what the operation under test needs. */
let setup: AuthService;
let serveCaller: (listener: TokenListener) => AuthService;
beforeEach(async () => {
  app = await createTestApp();
  const { live } = prepareLiveSessions({ ...app.deps, config: app.config, logger: silentLogger });
  serveCaller = createAuthService(app.deps, {
    verifiedTokens: null,
    sessionEndedStreams: live.streams,
  });
  setup = serveCaller(IGNORE_TOKENS);
});
afterEach(() => app.close());

let emailCounter = 0;

function expectValue<T>(result: Result<T, unknown>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

async function signUpWithSetup(): Promise<AuthGrant> {
  const email = `listener${++emailCounter}@example.com`;
  return expectValue(await setup.signUp({ email, password: PASSWORD }, CLIENT));
}

async function viewerOf(grant: AuthGrant): Promise<Viewer> {
  return expectValue(await setup.authenticateAccessToken(`Bearer ${grant.tokens.accessToken}`));
}

/**
 * Every AuthService method that hands out a grant, called so that it succeeds. The key type is
 * computed from AuthService, so a new grant-issuing method does not compile until it is here.
 */
const GRANT_OPERATIONS: {
  readonly [K in GrantOperationName<AuthService>]: (
    auth: AuthService,
    existing: AuthGrant,
  ) => ReturnType<AuthService[K]>;
} = {
  signUp: (auth) =>
    auth.signUp({ email: `fresh${++emailCounter}@example.com`, password: PASSWORD }, CLIENT),
  logIn: (auth, existing) => auth.logIn({ email: existing.user.email, password: PASSWORD }, CLIENT),
  async reissue(auth, existing) {
    const token = await setup.verifyRefreshToken(`Bearer ${existing.tokens.refreshToken}`);
    return auth.reissue(expectValue(token), CLIENT);
  },
  async changePassword(auth, existing) {
    const input = { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' };
    return auth.changePassword(await viewerOf(existing), input, CLIENT);
  },
  async resetPassword(auth, existing) {
    // A reset token as the outbox's sender issues it.
    const { token, record } = createLinkToken(
      app.config.links,
      'reset_password',
      existing.user,
      existing.user.email,
      app.clock.now(),
    );
    await app.deps.store.accounts.issueLinks({
      userId: existing.user.id,
      tokens: [record],
      mails: [],
    });
    return auth.resetPassword({ token, newPassword: 'an entirely new passphrase' }, CLIENT);
  },
  async verifyTotp(auth, existing) {
    const { secret } = await confirmTotpWithSetup(existing);
    app.clock.advanceSeconds(30); // the confirming code's step is used
    return auth.verifyTotp(await viewerOf(existing), totpCodeAt(secret, app.clock.now()), CLIENT);
  },
  async verifyRecoveryCode(auth, existing) {
    const { recoveryCodes } = await confirmTotpWithSetup(existing);
    return auth.verifyRecoveryCode(await viewerOf(existing), recoveryCodes[0] ?? '', CLIENT);
  },
  async finishPasskeyLogin(auth, existing) {
    const authenticator = await registerPasskeyWithSetup(existing);
    const started = expectValue(await setup.startPasskeyLogin(null, CLIENT));
    const response = authenticator.authenticate(requestOptions(started.options));
    return auth.finishPasskeyLogin({ challengeId: started.challengeId, response }, CLIENT);
  },
  async finishPasskeyVerification(auth, existing) {
    const authenticator = await registerPasskeyWithSetup(existing);
    const viewer = await viewerOf(existing);
    const started = expectValue(await setup.startPasskeyVerification(viewer, CLIENT));
    const response = authenticator.authenticate(requestOptions(started.options));
    return auth.finishPasskeyVerification(
      viewer,
      { challengeId: started.challengeId, response },
      CLIENT,
    );
  },
};

/** The options a start answered, as the authenticator takes them. */
function requestOptions(options: object): PublicKeyCredentialRequestOptionsJSON {
  return options as PublicKeyCredentialRequestOptionsJSON;
}

/** Registers a passkey for the session of `existing`, telling nobody; returns its authenticator. */
async function registerPasskeyWithSetup(existing: AuthGrant): Promise<SoftwareAuthenticator> {
  const authenticator = createSoftwareAuthenticator({ origin: new URL(app.config.issuer).origin });
  const viewer = await viewerOf(existing);
  const input = { name: null, currentPassword: null };
  const started = expectValue(await setup.startPasskeyRegistration(viewer, input, CLIENT));
  const options = started.options as PublicKeyCredentialCreationOptionsJSON;
  const response = authenticator.register(options);
  expectValue(
    await setup.finishPasskeyRegistration(
      viewer,
      { challengeId: started.challengeId, response },
      CLIENT,
    ),
  );
  return authenticator;
}

/** Enrols and confirms a TOTP factor for the session of `existing`, telling nobody. */
async function confirmTotpWithSetup(
  existing: AuthGrant,
): Promise<{ secret: string; recoveryCodes: readonly string[] }> {
  const viewer = await viewerOf(existing);
  const enrolment = expectValue(
    await setup.enrollTotp(viewer, { currentPassword: PASSWORD, name: null }, CLIENT),
  );
  const code = totpCodeAt(enrolment.secret, app.clock.now());
  const confirmed = expectValue(
    await setup.confirmTotp(viewer, { factorId: enrolment.factorId, code }, CLIENT),
  );
  return { secret: enrolment.secret, recoveryCodes: confirmed.recoveryCodes };
}

describe('createAuthService: the token listener', () => {
  it.each(Object.keys(GRANT_OPERATIONS) as GrantOperationName<AuthService>[])(
    '%s hands the grant it returns to the listener, once',
    async (name) => {
      const existing = await signUpWithSetup();
      const { listener, heard } = createRecordingListener();
      const grant = expectValue(await GRANT_OPERATIONS[name](serveCaller(listener), existing));
      expect(heard.issued).toHaveLength(1);
      expect(heard.issued[0]).toBe(grant);
      expect(heard.ended).toEqual([]);
    },
  );

  it('confirmTotp hands the grant inside its confirmation to the listener, once', async () => {
    const existing = await signUpWithSetup();
    const viewer = await viewerOf(existing);
    const enrolment = expectValue(
      await setup.enrollTotp(viewer, { currentPassword: PASSWORD, name: null }, CLIENT),
    );
    const { listener, heard } = createRecordingListener();
    const code = totpCodeAt(enrolment.secret, app.clock.now());
    const confirmed = expectValue(
      await serveCaller(listener).confirmTotp(
        viewer,
        { factorId: enrolment.factorId, code },
        CLIENT,
      ),
    );
    expect(heard).toEqual({ issued: [confirmed.grant], ended: [] });
  });

  it('finishPasskeyRegistration hands the grant inside its confirmation to the listener, once', async () => {
    const existing = await signUpWithSetup();
    const viewer = await viewerOf(existing);
    const input = { name: null, currentPassword: null };
    const started = expectValue(await setup.startPasskeyRegistration(viewer, input, CLIENT));
    const authenticator = createSoftwareAuthenticator({
      origin: new URL(app.config.issuer).origin,
    });
    const response = authenticator.register(
      started.options as PublicKeyCredentialCreationOptionsJSON,
    );
    const { listener, heard } = createRecordingListener();
    const registered = expectValue(
      await serveCaller(listener).finishPasskeyRegistration(
        viewer,
        { challengeId: started.challengeId, response },
        CLIENT,
      ),
    );
    expect(heard).toEqual({ issued: [registered.grant], ended: [] });
  });

  it('hears of no grant when the operation fails', async () => {
    const existing = await signUpWithSetup();
    const { listener, heard } = createRecordingListener();
    const auth = serveCaller(listener);
    const login = await auth.logIn({ email: existing.user.email, password: 'wrong!' }, CLIENT);
    expect(login).toEqual(failure('INVALID_CREDENTIALS'));
    expect(heard).toEqual({ issued: [], ended: [] });
  });

  it.each<[LogoutScope, boolean]>([
    ['CURRENT', true],
    ['OTHERS', false],
    ['ALL', true],
  ])('logOut(%s) ends the caller’s own session: %s', async (scope, ends) => {
    const existing = await signUpWithSetup();
    const { listener, heard } = createRecordingListener();
    await serveCaller(listener).logOut(await viewerOf(existing), scope, CLIENT);
    expect(heard).toEqual({ issued: [], ended: ends ? [existing.sessionId] : [] });
  });

  it('revokeSession ends the caller’s session only when it names that session', async () => {
    const existing = await signUpWithSetup();
    const other = expectValue(
      await setup.logIn({ email: existing.user.email, password: PASSWORD }, CLIENT),
    );
    const viewer = await viewerOf(existing);
    const { listener, heard } = createRecordingListener();
    const auth = serveCaller(listener);
    expect(await auth.revokeSession(viewer, other.sessionId, CLIENT)).toBe(true);
    expect(heard.ended).toEqual([]);
    expect(await auth.revokeSession(viewer, existing.sessionId, CLIENT)).toBe(true);
    expect(heard.ended).toEqual([existing.sessionId]);
  });

  it('revokeUserSessions ends the caller’s session only when it names the caller', async () => {
    const admin = await viewerOf(await signUpWithSetup());
    const user = await signUpWithSetup();
    const { listener, heard } = createRecordingListener();
    const auth = serveCaller(listener);
    expect(await auth.revokeUserSessions(admin, user.user.id, CLIENT)).toBe(1);
    expect(heard.ended).toEqual([]);
    expect(await auth.revokeUserSessions(admin, admin.userId, CLIENT)).toBe(1);
    expect(heard.ended).toEqual([admin.sessionId]);
  });
});

describe('announceGrants', () => {
  it('binds every function it is given and announces its grants, not its failures', async () => {
    const grant = await signUpWithSetup();
    const { listener, heard } = createRecordingListener();
    const seen: string[] = [];
    const announced = announceGrants('the deps', listener, {
      first: async (deps: string) => {
        seen.push(deps);
        return success(grant);
      },
      second: async (deps: string, fail: boolean) => {
        seen.push(deps);
        return fail ? failure('NOPE') : success(grant);
      },
    });
    expect(await announced.second(true)).toEqual(failure('NOPE'));
    expect(heard.issued).toEqual([]);
    expect(await announced.first()).toEqual(success(grant));
    await announced.second(false);
    expect(heard.issued).toEqual([grant, grant]);
    expect(seen).toEqual(['the deps', 'the deps', 'the deps']);
  });
});
