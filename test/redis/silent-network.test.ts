import type { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/auth/limits/rate-limit.js';
import { silentLogger } from '../../src/logger.js';
import {
  closeRedisConnection,
  openRedisConnection,
  type RedisConnectionOptions,
} from '../../src/redis/connection.js';
import { createRedisRateLimitStore } from '../../src/redis/rate-limit-store.js';
import {
  describeWithRedis,
  testRedisTarget,
  testRedisUrlThrough,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// Redis behind a network that goes silent with no reset: no command waits past its timeout,
// a silent connection is replaced, and everything comes back by itself.

const COMMAND_TIMEOUT_MS = 300;
/** Room for a loaded machine between a bound and the moment the caller hears of it. */
const SLACK_MS = 1000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describeWithRedis('Redis on a silent network', () => {
  const opened: Redis[] = [];
  const proxies: TcpProxy[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map(closeRedisConnection));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  async function openThroughProxy(
    options: Partial<RedisConnectionOptions> = {},
  ): Promise<{ redis: Redis; proxy: TcpProxy; closes: () => number }> {
    const proxy = await startTcpProxy(testRedisTarget());
    proxies.push(proxy);
    const redis = openRedisConnection(testRedisUrlThrough(proxy.port), {
      name: 'silent-network-test',
      logger: silentLogger,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      ...options,
    });
    opened.push(redis);
    let closes = 0;
    redis.on('close', () => closes++);
    return { redis, proxy, closes: () => closes };
  }

  async function timeRejection(promise: Promise<unknown>): Promise<number> {
    const started = performance.now();
    await expect(promise).rejects.toThrow();
    return performance.now() - started;
  }

  it('fails a command within its timeout, then drops the connection so that others fail at once', async () => {
    const { redis, proxy } = await openThroughProxy({ dropWhenSilent: true });
    await waitFor(() => redis.status === 'ready', 3000);
    proxy.blackhole();
    const first = await timeRejection(redis.ping());
    expect(first).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
    expect(first).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
    await waitFor(() => redis.status !== 'ready', SLACK_MS);
    expect(await timeRejection(redis.ping())).toBeLessThan(50);

    proxy.restore();
    await waitFor(() => redis.status === 'ready', 3000);
    expect(await redis.ping()).toBe('PONG');
  });

  it('drops a connection whose handshake goes unanswered, and tries again', async () => {
    const { redis, proxy, closes } = await openThroughProxy({ lazy: true });
    proxy.blackhole();
    redis.connect().catch(() => {
      // The connection's error handler reports it; the test watches the closes.
    });
    await waitFor(() => redis.status === 'connect', 1000);
    // The ready check is a command like any other: unanswered, it ends the attempt.
    await waitFor(() => closes() >= 1, COMMAND_TIMEOUT_MS + SLACK_MS);
    proxy.restore();
    await waitFor(() => redis.status === 'ready', 5000);
  });

  it('counts rate limits in process within one command timeout, and in Redis again after', async () => {
    const { redis, proxy } = await openThroughProxy({ dropWhenSilent: true });
    await waitFor(() => redis.status === 'ready', 3000);
    const prefix = uniquePrefix();
    const store = createRedisRateLimitStore(redis, {
      prefix,
      fallback: createMemoryRateLimitStore(),
      logger: silentLogger,
    });
    const rule = { limit: 100, windowSeconds: 60 };
    proxy.blackhole();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = performance.now();
      expect(await store.consume('k', rule, T0)).toEqual({ allowed: true });
      waits.push(performance.now() - started);
    }
    expect(Math.max(...waits)).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
    // Once the silent connection is dropped (a command sent just before may still wait out its
    // own timeout), the fallback answers without waiting.
    expect(waits.slice(2).every((wait) => wait < 50)).toBe(true);

    proxy.restore();
    await waitFor(() => redis.status === 'ready', 3000);
    await store.consume('k', rule, T0);
    expect(await redis.exists(`${prefix}rl:k`)).toBe(1);
    await redis.del(`${prefix}rl:k`);
  });
});
