// The service under test: build it, start `node dist/main.js` in production mode on loopback,
// and create accounts and sessions over its public API.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postGraphQL, runPool } from './graphql-client.mjs';
import { findFreePort, HOST, startProcess, waitUntil } from './processes.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVICE_ENTRY = join(ROOT, 'dist', 'main.js');

export const ISSUER = 'https://auth.bench.invalid';
export const AUDIENCE = 'https://api.bench.invalid';
export const PASSWORD = 'bench password 1234';

const PAIR = 'accessToken refreshToken user { id }';

/** `npm ci` at the root when a clean clone has no node_modules yet, then `npm run build`. */
export function buildService() {
  if (!existsSync(join(ROOT, 'node_modules'))) {
    run('npm', ['ci', '--no-audit', '--no-fund'], ROOT);
  }
  run('npm', ['run', 'build'], ROOT);
}

function run(command, args, cwd) {
  process.stderr.write(`$ ${command} ${args.join(' ')}   (in ${cwd})\n`);
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

/**
 * The environment of the measured service: production mode, loopback, a file database.
 * Token lifetimes are long enough that nothing expires during a full run. Rate limits are off:
 * every request comes from 127.0.0.1, and the bench measures capacity, not the limiter (which
 * would cap login at 20 a minute). The audit log stays on; its cost is part of the figures.
 * Production needs SMTP_URL: it names a closed loopback port, so the verification mails that
 * sign-ups queue stay in the outbox, retried with backoff (a refused connection each time),
 * and no mail server's speed enters the figures. Production also needs MFA_ENCRYPTION_KEYS.
 */
export function serviceEnv({ port, dbPath, extra = {} }) {
  return {
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    DATABASE_URL: `file:${dbPath}`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    SMTP_URL: 'smtp://127.0.0.1:9',
    ACCESS_TOKEN_TTL: '2h',
    REFRESH_TOKEN_TTL: '14d',
    RATE_LIMIT_LOGIN_IP: 'off',
    RATE_LIMIT_LOGIN_ACCOUNT: 'off',
    RATE_LIMIT_SIGNUP_IP: 'off',
    RATE_LIMIT_REISSUE_IP: 'off',
    // Production requires the key ring that seals TOTP secrets: one key for this run, the same
    // for every instance the bench starts (they may share a database).
    MFA_ENCRYPTION_KEYS: BENCH_MFA_KEYS,
    ...extra,
  };
}

const BENCH_MFA_KEYS = `bench:${randomBytes(32).toString('base64')}`;

/** Starts the built service and resolves once it answers `{ __typename }`. */
export async function startService({ dbPath, extra, name = 'service', nodeArgs = [] }) {
  const port = await findFreePort();
  const handle = startProcess(name, [...nodeArgs, SERVICE_ENTRY], {
    cwd: ROOT,
    env: serviceEnv({ port, dbPath, extra }),
  });
  const url = `http://${HOST}:${port}/graphql`;
  await waitUntil(handle, async () => (await postGraphQL(url, '{ __typename }')).status === 200);
  return { ...handle, url, port };
}

/** Creates an account and returns its first token pair. */
export async function signUp(url, email) {
  const { body } = await postGraphQL(
    url,
    `mutation ($input: SignUpInput!) { signUp(input: $input) { ${PAIR} } }`,
    { variables: { input: { email, password: PASSWORD } } },
  );
  const pair = body.data?.signUp;
  if (!pair) throw new Error(`signUp failed: ${JSON.stringify(body.errors)}`);
  return pair;
}

/** Opens `count` sessions for `email` through `login` (Argon2 each), a few at a time. */
export async function openSessions(url, email, count) {
  return runPool(count, 4, async () => {
    const { body } = await postGraphQL(
      url,
      `mutation ($input: LoginInput!) { login(input: $input) { ${PAIR} } }`,
      { variables: { input: { email, password: PASSWORD } } },
    );
    const pair = body.data?.login;
    if (!pair) throw new Error(`login failed: ${JSON.stringify(body.errors)}`);
    return pair;
  });
}
