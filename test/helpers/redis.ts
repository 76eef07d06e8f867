import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/logger.js';
import { openRedisConnection, waitUntilReady } from '../../src/redis/connection.js';
import { describeWithServices, serviceUrl } from './services.js';

// The Redis suites need a server: TEST_REDIS_URL names it. CI sets it and must run them; on a
// machine without Redis they are skipped, saying why, so `npm test` still passes there.

/** `describe` for a suite that needs the test Redis: see {@link describeWithServices}. */
export function describeWithRedis(name: string, body: () => void): void {
  describeWithServices(['redis'], name, body);
}

export function testRedisUrl(): string {
  const url = serviceUrl('redis');
  if (url === undefined) throw new Error('TEST_REDIS_URL is unset');
  return url;
}

/** The test Redis's URL with the host and port of a proxy in front of it. */
export function testRedisUrlThrough(port: number): string {
  const url = new URL(testRedisUrl());
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.href;
}

export function testRedisTarget(): { host: string; port: number } {
  const url = new URL(testRedisUrl());
  return { host: url.hostname, port: url.port === '' ? 6379 : Number(url.port) };
}

/** A prefix no other test uses, so parallel test files never share keys or channels. */
export function uniquePrefix(): string {
  return `test:${randomBytes(8).toString('hex')}:`;
}

/** A ready connection to the test Redis (or to `url`). */
export async function connectTestRedis(name: string, url = testRedisUrl()): Promise<Redis> {
  const redis = openRedisConnection(url, { name, logger: silentLogger });
  if (!(await waitUntilReady(redis, 5000))) throw new Error(`no Redis at ${name}`);
  return redis;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Polls `condition` every 5 ms; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}
