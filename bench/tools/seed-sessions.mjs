// Seeds a service database with COUNT live sessions spread over USERS accounts, and writes one
// valid access token per session to OUT (one per line). It uses the service's own built store
// and signing code, so the rows and tokens are exactly what the service would make; run it
// before the service starts, so both use the signing key it creates.
//
// This reaches into dist/ internals (loadConfig, openSqliteStore, openKeyRing, signAccessToken):
// when their signatures change, this file is the one to update.

import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hash } from '@node-rs/argon2';

const { ROOT, DB_PATH, COUNT, USERS, ISSUER, AUDIENCE, ACCESS_TTL_SECONDS, OUT } = process.env;
const load = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
const { loadConfig } = await load('config.js');
const { openSqliteStore } = await load('db/sqlite/open.js');
const { openKeyRing } = await load('auth/keys/open-key-ring.js');
const { signAccessToken } = await load('auth/tokens/sign-token.js');

// The same settings the measured service is started with (see lib/service.mjs).
const config = loadConfig({
  DATABASE_URL: `file:${DB_PATH}`,
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: AUDIENCE,
  ACCESS_TOKEN_TTL: ACCESS_TTL_SECONDS,
  REFRESH_TOKEN_TTL: '14d',
});
const clock = { now: () => Date.now() };
const store = openSqliteStore(config.database.path);
const keys = await openKeyRing(config, store.signingKeys, clock);
const day = 86_400_000;
const settings = { issuer: config.issuer, audience: config.audience, lifetimes: config.lifetimes };

// One real hash shared by the seeded accounts; nobody logs in as them.
const passwordHash = await hash(randomBytes(16).toString('base64url'));
const now = clock.now();
const users = [];
for (let i = 0; i < Number(USERS); i++) {
  const user = await store.users.insert({
    id: randomUUID(),
    email: `seeded${i}@example.com`,
    name: null,
    passwordHash,
    roles: ['USER'],
    createdAt: now,
    emailVerified: true,
    disabledAt: null,
  });
  users.push(user);
}

const tokens = [];
for (let i = 0; i < Number(COUNT); i++) {
  const user = users[i % users.length];
  const session = await store.sessions.insert({
    id: randomUUID(),
    userId: user.id,
    currentRefreshJti: randomBytes(16).toString('base64url'),
    rotatedAt: now,
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: now + 14 * day,
    expiresAt: now + 30 * day,
    userAgent: 'bench',
    ip: '127.0.0.1',
    restrictions: [],
    assuranceLevel: 1,
    authMethods: ['pwd'],
    authTime: now,
    stepUpDeadline: null,
  });
  const issuedAt = Math.floor(now / 1000);
  tokens.push(
    await signAccessToken(keys, settings, {
      userId: user.id,
      sessionId: session.id,
      tokenId: randomBytes(16).toString('base64url'),
      issuedAt,
      expiresAt: issuedAt + settings.lifetimes.accessTokenTtl,
      roles: user.roles,
    }),
  );
}
await store.close();
writeFileSync(OUT, `${tokens.join('\n')}\n`);
process.stdout.write(`${JSON.stringify({ sessions: tokens.length, users: users.length })}\n`);
