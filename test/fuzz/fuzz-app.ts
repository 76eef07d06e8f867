import { replaceUserRoles } from '../../src/auth/operator-actions.js';
import type { Environment } from '../../src/config.js';
import { createTestApp, PASSWORD, type TestApp, type TokenPairResponse } from '../helpers/app.js';
import { TEST_MFA_KEYS } from '../helpers/config.js';

// The in-process server the fuzz suites talk to, and the real sessions they borrow tokens from.
// A fuzzed operation may end those sessions (logout, revokeUserSessions, changePassword); the
// pool notices at its next check and opens new ones, so every case starts from live sessions.

/** Production settings: no introspection, no field suggestions, no GraphiQL. */
export const PRODUCTION: Environment = {
  NODE_ENV: 'production',
  ...TEST_MFA_KEYS,
  AUTH_ISSUER: 'https://auth.example.com',
  AUTH_AUDIENCE: 'https://api.example.com',
  SMTP_URL: 'smtp://smtp.example.com:587',
};

/** Cookie mode with an Origin allow-list and a metrics token: the HTTP surface at its widest. */
export const COOKIE_MODE: Environment = {
  ...PRODUCTION,
  REFRESH_TOKEN_COOKIE: 'true',
  ALLOWED_ORIGINS: 'https://app.example.com',
  METRICS_TOKEN: 'metrics-token-0123456789',
};

/** Longest a single fuzzed request may take before "the server keeps answering" fails. */
export const ANSWER_WITHIN_MS = 15_000;

export type Who = 'user' | 'admin';

export interface Identity {
  readonly email: string;
  readonly pair: TokenPairResponse;
}

export interface FuzzApp {
  readonly app: TestApp;
  identity(who: Who): Identity;
  /** Sends one request in process, failing if no answer comes within {@link ANSWER_WITHIN_MS}. */
  send(path: string, init: RequestInit): Promise<Response>;
  /** The longest a request sent through {@link send} waited for its answer, in ms. */
  slowestAnswerMs(): number;
  /** Proves the server still answers, and replaces (and names) any session a case ended. */
  checkSessions(): Promise<readonly Who[]>;
  close(): Promise<void>;
}

let accounts = 0;

export async function openFuzzApp(
  env: Environment,
  keyRing: { unknownKidReloadIntervalMs?: number } = {},
): Promise<FuzzApp> {
  const app = await createTestApp(env, { keyRing });
  const identities = { user: await openUser(app), admin: await openAdmin(app) };

  let slowest = 0;

  async function send(path: string, init: RequestInit): Promise<Response> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)),
        ANSWER_WITHIN_MS,
      );
    });
    try {
      return await Promise.race([app.yoga.fetch(`http://yoga${path}`, init), timeout]);
    } finally {
      clearTimeout(timer);
      slowest = Math.max(slowest, performance.now() - started);
    }
  }

  async function isLive(identity: Identity): Promise<boolean> {
    const body = JSON.stringify({ query: '{ me { id } }' });
    const response = await send('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${identity.pair.accessToken}`,
      },
      body,
    });
    if (response.status !== 200) throw new Error(`the liveness probe got ${response.status}`);
    const answer = (await response.json()) as { data?: { me?: { id?: string } } | null };
    return answer.data?.me?.id === identity.pair.user.id;
  }

  return {
    app,
    identity: (who) => identities[who],
    send,
    slowestAnswerMs: () => Math.round(slowest),
    async checkSessions() {
      const ended: Who[] = [];
      if (!(await isLive(identities.user))) {
        ended.push('user');
        identities.user = await openUser(app);
      }
      if (!(await isLive(identities.admin))) {
        ended.push('admin');
        identities.admin = await openAdmin(app);
      }
      return ended;
    },
    close: () => app.close(),
  };
}

/** A fresh account: a case may have changed the old one's password. */
async function openUser(app: TestApp): Promise<Identity> {
  const email = `fuzz-user-${++accounts}@example.com`;
  return { email, pair: await app.signUp(email, PASSWORD) };
}

async function openAdmin(app: TestApp): Promise<Identity> {
  const email = `fuzz-admin-${++accounts}@example.com`;
  const { user } = await app.signUp(email, PASSWORD);
  const record = await app.deps.store.users.findById(user.id);
  if (record === null) throw new Error('the new admin is not in the store');
  await replaceUserRoles(app.deps, record, ['USER', 'ADMIN']);
  // Roles reach the tokens issued after the change.
  return { email, pair: await app.login(email, PASSWORD) };
}
