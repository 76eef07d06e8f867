import type { AuthDeps } from '../../src/auth/deps.js';
import { ignoreEvents } from '../../src/auth/events/fan-out.js';
import { openKeyRing } from '../../src/auth/keys/open-key-ring.js';
import { createMemoryRateLimitStore } from '../../src/auth/limits/rate-limit.js';
import type { Timers } from '../../src/auth/live/timers.js';
import {
  createArgon2PasswordHasher,
  type PasswordHasher,
} from '../../src/auth/passwords/passwords.js';
import { readSessionLivenessFromStore } from '../../src/auth/sessions/session-liveness.js';
import {
  type Config,
  type Environment,
  loadConfig,
  RATE_LIMIT_DEFAULTS,
} from '../../src/config.js';
import { openStore } from '../../src/db/open-store.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { type AuthServer, createServer } from '../../src/server.js';
import { createTestClock, type TestClock } from './clock.js';
import { openTestStore } from './store.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: readonly {
    readonly message: string;
    readonly path?: readonly (string | number)[];
    readonly extensions?: Record<string, unknown>;
  }[];
}

export interface RequestOptions {
  readonly variables?: Record<string, unknown>;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** The socket's peer address the server sees; none by default. */
  readonly remoteAddress?: string;
}

export interface TokenPairResponse {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: string;
  readonly accessTokenExpiresAt: string;
  readonly refreshTokenExpiresAt: string;
  readonly user: { readonly id: string; readonly email: string; readonly roles: string[] };
}

export interface TestApp {
  readonly yoga: AuthServer;
  readonly clock: TestClock;
  readonly deps: AuthDeps;
  readonly config: Config;
  /** POSTs one GraphQL operation through `yoga.fetch`, in process, without a port. */
  graphql<T = Record<string, unknown>>(
    query: string,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
  signUp(email?: string, password?: string): Promise<TokenPairResponse>;
  login(email: string, password: string): Promise<TokenPairResponse>;
  reissue(refreshToken: string): Promise<GraphQLResponse<{ reissue: TokenPairResponse }>>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

export const PAIR_FIELDS = `accessToken refreshToken tokenType accessTokenExpiresAt refreshTokenExpiresAt
  user { id email roles }`;

let emailCounter = 0;

/** Every rate limit off: tests that count attempts turn on the limits they test. */
const NO_RATE_LIMITS = Object.fromEntries(
  Object.keys(RATE_LIMIT_DEFAULTS).map((name) => [name, 'off']),
);

/** A fresh service on a fresh store (see {@link openTestStore}) with an injected clock. */
export async function createTestApp(
  env: Environment = {},
  options: {
    logger?: Logger;
    keyRing?: { unknownKidReloadIntervalMs?: number };
    /** Share a store and clock with another app: two service instances on one database. */
    shareWith?: TestApp;
    /** The hasher, for a test that watches the Argon2 work; production Argon2id otherwise. */
    passwords?: PasswordHasher;
    /** Makes the timers of stream expiry and polling on the app's clock; Node's by default. */
    timers?: (clock: TestClock) => Timers;
  } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: ':memory:',
    ...NO_RATE_LIMITS,
    ...env,
  });
  // An explicit DATABASE_URL (a file, for a test that inspects it) is honoured as given.
  const store =
    options.shareWith?.deps.store ??
    (env.DATABASE_URL === undefined ? await openTestStore() : await openStore(config.database));
  const clock = options.shareWith?.clock ?? createTestClock();
  const keys = await openKeyRing(config, store.signingKeys, clock, options.keyRing);
  const passwords = options.passwords ?? createArgon2PasswordHasher();
  // Shared with another app: both instances must open the same sealed secrets.
  const secrets =
    options.shareWith?.deps.secrets ?? (await openSecretBox(config.mfaKeys, silentLogger));
  const deps: AuthDeps = {
    store,
    clock,
    keys,
    passwords,
    rateLimits: createMemoryRateLimitStore(),
    liveness: readSessionLivenessFromStore(store.sessions),
    events: ignoreEvents,
    settings: {
      issuer: config.issuer,
      audience: config.audience,
      lifetimes: config.lifetimes,
      adminEmails: config.adminEmails,
      rateLimits: config.rateLimits,
      requireEmailVerification: config.requireEmailVerification,
      links: config.links,
      mfa: config.mfa,
    },
    secrets,
  };
  const yoga = createServer({
    config,
    store,
    clock,
    keys,
    secrets,
    passwords,
    logger: options.logger ?? silentLogger,
    ...(options.timers === undefined ? {} : { timers: options.timers(clock) }),
  });

  async function graphql<T>(
    query: string,
    request: RequestOptions = {},
  ): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...request.headers,
    };
    if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
    const body = JSON.stringify({ query, variables: request.variables });
    headers['content-length'] ??= String(Buffer.byteLength(body));
    const response = await yoga.fetch(
      'http://yoga/graphql',
      { method: 'POST', headers, body },
      request.remoteAddress === undefined
        ? {}
        : { req: { socket: { remoteAddress: request.remoteAddress } } },
    );
    return {
      status: response.status,
      ...((await response.json()) as Omit<GraphQLResponse<T>, 'status'>),
    };
  }

  async function expectPair(
    response: GraphQLResponse<Record<string, TokenPairResponse>>,
    field: string,
  ): Promise<TokenPairResponse> {
    const pair = response.data?.[field];
    if (pair === undefined) throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
    return pair;
  }

  return {
    yoga,
    clock,
    deps,
    config,
    graphql,
    async signUp(email = `user${++emailCounter}@example.com`, password = PASSWORD) {
      const response = await graphql<Record<string, TokenPairResponse>>(
        `mutation ($input: SignUpInput!) { signUp(input: $input) { ${PAIR_FIELDS} } }`,
        { variables: { input: { email, password } } },
      );
      return expectPair(response, 'signUp');
    },
    async login(email, password) {
      const response = await graphql<Record<string, TokenPairResponse>>(
        `mutation ($input: LoginInput!) { login(input: $input) { ${PAIR_FIELDS} } }`,
        { variables: { input: { email, password } } },
      );
      return expectPair(response, 'login');
    },
    reissue(refreshToken) {
      return graphql(`mutation { reissue { ${PAIR_FIELDS} } }`, { token: refreshToken });
    },
    close: () => (options.shareWith === undefined ? store.close() : Promise.resolve()),
  };
}

/** The `extensions` of the first error, for asserting codes and reasons. */
export function firstError(
  response: GraphQLResponse<unknown>,
): Record<string, unknown> | undefined {
  return response.errors?.[0]?.extensions;
}

/** Decodes a JWT part without verifying it, for assertions on what we issued. */
export function decodeJwtPart(token: string, part: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[part];
  if (segment === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}
