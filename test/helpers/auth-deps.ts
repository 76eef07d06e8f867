import { authenticateAccessToken, verifyRefreshToken } from '../../src/auth/authenticate.js';
import type { ClientInfo } from '../../src/auth/client/client-info.js';
import type { AuthDeps } from '../../src/auth/deps.js';
import { openKeyRing } from '../../src/auth/keys/open-key-ring.js';
import { createMemoryRateLimitStore } from '../../src/auth/limits/rate-limit.js';
import type { RateLimitRules } from '../../src/auth/limits/rate-limit-rules.js';
import {
  type Argon2Runner,
  threadPoolArgon2Runner,
} from '../../src/auth/passwords/argon2-workers.js';
import {
  createArgon2PasswordHasher,
  type PasswordHasher,
} from '../../src/auth/passwords/passwords.js';
import type { AuthEventSink, EventDelivery } from '../../src/auth/ports/event-sink.js';
import type { AuthEvent, AuthEventType } from '../../src/auth/ports/records.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import { readSessionLivenessFromStore } from '../../src/auth/sessions/session-liveness.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import { signUp } from '../../src/auth/sign-up.js';
import type { VerifiedToken } from '../../src/auth/tokens/token-types.js';
import { type Environment, loadConfig } from '../../src/config.js';
import type { Result } from '../../src/result.js';
import { createTestClock, type TestClock } from './clock.js';
import { openTestStore } from './store.js';

// AuthDeps for tests that call the auth operations directly, without GraphQL: a fresh store of
// the kind under test (see openTestStore), a test clock, and sinks that record what happened.

export const PASSWORD = 'correct horse battery';

/** The client every call comes from unless a test names another. */
export const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'auth-test/1.0' };

/** Every event delivered, in order, with how it was delivered. */
export interface RecordingEventSink extends AuthEventSink {
  readonly recorded: { readonly event: AuthEvent; readonly delivery: EventDelivery | undefined }[];
  /** The recorded events' types, in order. */
  types(): AuthEventType[];
  ofType(type: AuthEventType): AuthEvent[];
}

export function createRecordingEventSink(): RecordingEventSink {
  const recorded: RecordingEventSink['recorded'] = [];
  return {
    recorded,
    record(event, delivery) {
      recorded.push({ event, delivery });
    },
    types: () => recorded.map(({ event }) => event.type),
    ofType: (type) => recorded.filter(({ event }) => event.type === type).map(({ event }) => event),
  };
}

/** Calls on the hasher, and the Argon2 computations beneath them. */
export interface PasswordWork {
  hash: number;
  verify: number;
  verifyDummy: number;
  argon2Hashes: number;
  argon2Verifications: number;
}

export interface CountingPasswordHasher extends PasswordHasher {
  readonly work: PasswordWork;
  resetWork(): void;
}

/** The production Argon2id hasher, counting its calls and the Argon2 runs they cost. */
export function createCountingPasswordHasher(): CountingPasswordHasher {
  const work: PasswordWork = {
    hash: 0,
    verify: 0,
    verifyDummy: 0,
    argon2Hashes: 0,
    argon2Verifications: 0,
  };
  const runner: Argon2Runner = {
    hash(password, options) {
      work.argon2Hashes++;
      return threadPoolArgon2Runner.hash(password, options);
    },
    verify(passwordHash, password) {
      work.argon2Verifications++;
      return threadPoolArgon2Runner.verify(passwordHash, password);
    },
    close: () => threadPoolArgon2Runner.close(),
  };
  const inner = createArgon2PasswordHasher(runner);
  const hasher: CountingPasswordHasher = {
    work,
    resetWork() {
      for (const key of Object.keys(work) as (keyof PasswordWork)[]) work[key] = 0;
    },
    hash(password) {
      work.hash++;
      return inner.hash(password);
    },
    verify(passwordHash, password) {
      work.verify++;
      return inner.verify(passwordHash, password);
    },
    verifyDummy(password) {
      work.verifyDummy++;
      return inner.verifyDummy(password);
    },
    needsRehash: (passwordHash) => inner.needsRehash(passwordHash),
  };
  // The dummy hash made up front is set-up, not work done by an operation.
  hasher.resetWork();
  return hasher;
}

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
}

const NO_RATE_LIMITS: RateLimitRules = {
  loginPerIp: null,
  loginPerAccount: null,
  signUpPerIp: null,
  reissuePerIp: null,
  changePasswordPerIp: null,
  changePasswordPerAccount: null,
};

export async function createTestAuthDeps(options: TestAuthDepsOptions = {}): Promise<TestAuthDeps> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: ':memory:', ...options.env });
  const store = await openTestStore();
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
    },
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
