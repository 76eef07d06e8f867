import { authenticateAccessToken, verifyRefreshToken } from '../../src/auth/authenticate.js';
import type { ClientInfo } from '../../src/auth/client/client-info.js';
import type { AuthDeps } from '../../src/auth/deps.js';
import { openKeyRing } from '../../src/auth/keys/open-key-ring.js';
import { createMemoryRateLimitStore } from '../../src/auth/limits/rate-limit.js';
import type { RateLimitRules } from '../../src/auth/limits/rate-limit-rules.js';
import type { UserRecord } from '../../src/auth/ports/records.js';
import type { Store } from '../../src/auth/ports/store.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import { readSessionLivenessFromStore } from '../../src/auth/sessions/session-liveness.js';
import { startSession } from '../../src/auth/sessions/start-session.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import { signUp } from '../../src/auth/sign-up.js';
import type { VerifiedToken } from '../../src/auth/tokens/token-types.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { Result } from '../../src/result.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { createTestClock, type TestClock } from './clock.js';
import {
  type CountingPasswordHasher,
  createCountingPasswordHasher,
} from './counting-password-hasher.js';
import { createRecordingEventSink, type RecordingEventSink } from './recording-event-sink.js';
import { newUser } from './records.js';
import { openTestStore } from './store.js';

// AuthDeps for tests that call the auth operations directly, without GraphQL: a fresh store of
// the kind under test (see openTestStore), a test clock, and sinks that record what happened.

export const PASSWORD = 'correct horse battery';

/** The client every call comes from unless a test names another. */
export const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'auth-test/1.0' };

export interface TestAuthDeps extends AuthDeps {
  readonly clock: TestClock;
  readonly passwords: CountingPasswordHasher;
  readonly events: RecordingEventSink;
  close(): Promise<void>;
}

export interface TestAuthDepsOptions {
  /** Settings as the service reads them (lifetimes, AUTH_ADMIN_EMAILS, signing keys). */
  readonly env?: Environment;
  /** The limits to apply; every other limit is off. */
  readonly rateLimits?: Partial<RateLimitRules>;
  /** Opens the store; a fresh one of the kind under test (openTestStore) by default. */
  readonly openStore?: () => Promise<Store>;
}

const NO_RATE_LIMITS: RateLimitRules = {
  loginPerIp: null,
  loginPerAccount: null,
  signUpPerIp: null,
  reissuePerIp: null,
  changePasswordPerIp: null,
  changePasswordPerAccount: null,
  passwordResetPerIp: null,
  passwordResetPerAccount: null,
  emailPerIp: null,
  emailPerAccount: null,
  mfaPerAccount: null,
  passkeyPerIp: null,
};

export async function createTestAuthDeps(options: TestAuthDepsOptions = {}): Promise<TestAuthDeps> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: ':memory:', ...options.env });
  const store = await (options.openStore ?? openTestStore)();
  const clock = createTestClock();
  return {
    store,
    clock,
    keys: await openKeyRing(config, store.signingKeys, clock),
    passwords: createCountingPasswordHasher(),
    rateLimits: createMemoryRateLimitStore(),
    liveness: readSessionLivenessFromStore(store.sessions),
    events: createRecordingEventSink(),
    settings: {
      issuer: config.issuer,
      audience: config.audience,
      lifetimes: config.lifetimes,
      adminEmails: config.adminEmails,
      rateLimits: { ...NO_RATE_LIMITS, ...options.rateLimits },
      requireEmailVerification: config.requireEmailVerification,
      links: config.links,
      mfa: config.mfa,
    },
    secrets: await openSecretBox(config.mfaKeys, silentLogger),
    close: () => store.close(),
  };
}

/** The value of a successful result; fails the test with the failure otherwise. */
export function expectSuccess<T, F>(result: Result<T, F>): T {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

/** The failure of a failed result; fails the test on success. */
export function expectFailure<T, F>(result: Result<T, F>): F {
  if (result.ok) throw new Error('expected a failure, got success');
  return result.failure;
}

/** Signs up `email` with {@link PASSWORD} from {@link CLIENT}. */
export async function signUpUser(deps: AuthDeps, email: string): Promise<AuthGrant> {
  return expectSuccess(await signUp(deps, { email, password: PASSWORD }, CLIENT));
}

/** The viewer behind a grant's access token, as a protected request would see it. */
export async function viewerOf(deps: AuthDeps, grant: AuthGrant): Promise<Viewer> {
  const bearer = `Bearer ${grant.tokens.accessToken}`;
  return expectSuccess(await authenticateAccessToken(deps, bearer, null));
}

/** A refresh token as reissue receives it: verified, not yet checked against its session. */
export async function verifiedRefreshToken(
  deps: AuthDeps,
  refreshToken: string,
): Promise<VerifiedToken> {
  return expectSuccess(await verifyRefreshToken(deps, `Bearer ${refreshToken}`));
}

/**
 * A user `<id>@example.com` written straight to the store (its hash verifies no password) with
 * `count` sessions opened from {@link CLIENT}: for tests about sessions, with no Argon2 work.
 */
export async function openSessions(
  deps: AuthDeps,
  id: string,
  count: number,
): Promise<{ user: UserRecord; grants: AuthGrant[] }> {
  const user = await deps.store.users.insert(newUser(id, { createdAt: deps.clock.now() }));
  if (user === null) throw new Error(`${id} exists already`);
  const grants: AuthGrant[] = [];
  for (let i = 0; i < count; i++) grants.push(await openSession(deps, user));
  return { user, grants };
}

/** {@link startSession} for a user that is known to be enabled: its session and first pair. */
export async function openSession(
  deps: AuthDeps,
  user: UserRecord,
  client: ClientInfo = CLIENT,
): Promise<AuthGrant> {
  const grant = await startSession(deps, user, client);
  if (grant === null) throw new Error(`${user.id} is disabled or gone: no session`);
  return grant;
}
