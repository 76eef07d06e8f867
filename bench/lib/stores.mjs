// PostgreSQL and Redis for the `stores` suite: where they are, whether they answer, a database
// and a key prefix of the bench's own (removed afterwards), and the gauges of `/metrics`.
// The clients are the service's own `pg` and `ioredis`, resolved from the root.

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './service.mjs';

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const PROBE_TIMEOUT_MS = 2000;

/** The servers to use: BENCH_DATABASE_URL and BENCH_REDIS_URL, or the local defaults. */
export function readStoreUrls(env) {
  return {
    databaseUrl: env.BENCH_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
  };
}

/** A URL fit for a log or results.json: any password replaced. */
export function maskUrl(raw) {
  if (!URL.canParse(raw)) return `<${raw.length} characters>`;
  const url = new URL(raw);
  if (url.password !== '') url.password = '***';
  return url.href;
}

/**
 * Null when both servers answer within two seconds, otherwise why not (one line, for the
 * reason a suite is skipped).
 */
export async function findUnreachableStore({ databaseUrl, redisUrl }) {
  try {
    const client = await connectPostgres(databaseUrl);
    await client.end();
  } catch (error) {
    return `PostgreSQL at ${maskUrl(databaseUrl)} did not answer (${describe(error)}); set BENCH_DATABASE_URL`;
  }
  const redis = connectRedis(redisUrl);
  // ioredis rejects with "Connection is closed."; the socket's own error says more.
  let socketError;
  redis.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return `Redis at ${maskUrl(redisUrl)} did not answer (${describe(socketError ?? error)}); set BENCH_REDIS_URL`;
  } finally {
    redis.disconnect();
  }
  return null;
}

/**
 * Creates an empty database on the server of `adminUrl` (whose own database is only used to
 * issue CREATE and DROP) and returns its URL with `drop()`, which ends its connections first.
 */
export async function createBenchDatabase(adminUrl) {
  const name = `auth_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await runAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    drop: () => runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Rows of `sessions` by id, read from PostgreSQL (for the reissue lineage check). */
export async function readPostgresSessions(databaseUrl, ids) {
  const client = await connectPostgres(databaseUrl);
  try {
    const { rows } = await client.query(
      'SELECT id, current_refresh_jti AS jti, generation, revoked_at AS "revokedAt" FROM sessions WHERE id = ANY($1)',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row]));
  } finally {
    await client.end();
  }
}

/** A key prefix no one else uses, so the bench never touches other keys or channels. */
export function uniqueKeyPrefix() {
  return `auth-bench:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteRedisKeys(redisUrl, prefix) {
  const redis = connectRedis(redisUrl);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** GETs `/metrics` of a service and returns the value of each sample without labels. */
export async function scrapeGauges(origin, names) {
  const response = await fetch(`${origin}/metrics`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  const values = {};
  for (const name of names) {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    if (match === null) throw new Error(`/metrics has no ${name}`);
    values[name] = Number(match[1]);
  }
  return values;
}

async function runAdmin(adminUrl, statement) {
  const client = await connectPostgres(adminUrl);
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function connectPostgres(url) {
  const { Client } = requireFromRoot('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  await client.connect();
  return client;
}

function connectRedis(url) {
  const { Redis } = requireFromRoot('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The failure reaches the caller through connect() or the command; without a listener
  // ioredis would also print every attempt's error.
  redis.on('error', () => {});
  return redis;
}

function describe(error) {
  return error instanceof Error ? error.message || error.name : String(error);
}
