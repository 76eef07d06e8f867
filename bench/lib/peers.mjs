// Starting the baseline and peer servers of bench/servers, each in its own process.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { postGraphQL, runPool } from './graphql-client.mjs';
import { findFreePort, HOST, startProcess, waitUntil } from './processes.mjs';
import { AUDIENCE, ISSUER, PASSWORD } from './service.mjs';

const SERVERS = fileURLToPath(new URL('../servers/', import.meta.url));

async function startServer(name, file, env) {
  const port = await findFreePort();
  const handle = startProcess(name, [join(SERVERS, file)], {
    cwd: SERVERS,
    env: { NODE_ENV: 'production', PORT: String(port), ...env },
  });
  return { handle, origin: `http://${HOST}:${port}` };
}

async function waitForGraphQL(handle, url) {
  await waitUntil(handle, async () => (await postGraphQL(url, '{ __typename }')).status === 200);
}

/** Baseline (a): bare yoga, same schema shape, no auth. */
export async function startBareYoga() {
  const { handle, origin } = await startServer('yoga-bare', 'yoga-bare.mjs', {});
  const url = `${origin}/graphql`;
  await waitForGraphQL(handle, url);
  return { ...handle, url };
}

/**
 * Limit line (1): node:http answering a constant `me`-shaped body to the same POST. The wait
 * posts `{ __typename }` like the others and only looks for the 200.
 */
export async function startNodeHttpHello() {
  const { handle, origin } = await startServer('node-http-hello', 'node-http-hello.mjs', {});
  const url = `${origin}/graphql`;
  await waitForGraphQL(handle, url);
  return { ...handle, url };
}

/** Limit line (2): graphql-js on node:http, parse and validate cached, `execute` per request. */
export async function startGraphqlJsCached() {
  const { handle, origin } = await startServer('graphql-js-cached', 'graphql-js-cached.mjs', {});
  const url = `${origin}/graphql`;
  await waitForGraphQL(handle, url);
  return { ...handle, url };
}

/** Peer (b): Apollo Server 5 + jsonwebtoken HS256, with `count` distinct valid tokens. */
export async function startApolloJsonwebtoken(count) {
  const secret = randomBytes(32).toString('base64url');
  const { handle, origin } = await startServer('apollo-jsonwebtoken', 'apollo-jsonwebtoken.mjs', {
    JWT_SECRET: secret,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
  });
  const url = `${origin}/graphql`;
  await waitForGraphQL(handle, url);
  const tokens = Array.from({ length: count }, (_, i) =>
    jwt.sign({ sid: `session-${i}` }, secret, {
      algorithm: 'HS256',
      subject: `user-${i}`,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: '2h',
      jwtid: randomBytes(16).toString('base64url'),
    }),
  );
  return { ...handle, url, tokens };
}

/** Peer (c): better-auth on SQLite, with `count` sessions opened by signing in over HTTP. */
export async function startBetterAuth(count, databasePath) {
  const { handle, origin } = await startServer('better-auth', 'better-auth.mjs', {
    DATABASE_PATH: databasePath,
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
  });
  const base = `${origin}/api/auth`;
  await waitUntil(handle, async () => (await fetch(`${base}/get-session`)).status === 200);
  const email = 'bench@example.com';
  await authPost(base, origin, 'sign-up/email', { email, password: PASSWORD, name: 'Bench' });
  const cookies = await runPool(count, 2, () =>
    authPost(base, origin, 'sign-in/email', { email, password: PASSWORD }),
  );
  return { ...handle, url: `${base}/get-session`, cookies };
}

async function authPost(base, origin, path, body) {
  const response = await fetch(`${base}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify(body),
  });
  const cookie = response.headers.get('set-cookie');
  if (response.status !== 200 || cookie === null) {
    throw new Error(`better-auth ${path} failed: ${response.status} ${await response.text()}`);
  }
  return cookie.split(';')[0];
}
