import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createMemoryRateLimitStore, decide } from '../../src/auth/limits/rate-limit.js';
import type {
  RateLimitDecision,
  RateLimitRule,
  RateLimitStore,
} from '../../src/auth/ports/rate-limit-store.js';
import { silentLogger } from '../../src/logger.js';
import { closeRedisConnection, openRedisConnection } from '../../src/redis/connection.js';
import { createRedisRateLimitStore } from '../../src/redis/rate-limit-store.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';
import {
  connectTestRedis,
  deleteKeys,
  describeWithRedis,
  testRedisTarget,
  testRedisUrlThrough,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describeWithRedis('Redis rate-limit store', () => {
  let redis: Redis;
  let prefix: string;
  const opened: Redis[] = [];

  function redisStore(connection = redis, fallback = createMemoryRateLimitStore()) {
    return createRedisRateLimitStore(connection, { prefix, fallback, logger: silentLogger });
  }

  beforeEach(async () => {
    prefix = uniquePrefix();
    redis = await connectTestRedis('rate-limit-test');
    opened.push(redis);
  });

  afterEach(async () => {
    await deleteKeys(redis, prefix);
    await Promise.all(opened.splice(0).map(closeRedisConnection));
  });

  /** Consumes the same attempts from both stores and returns both sequences of decisions. */
  async function replay(rule: RateLimitRule, times: readonly number[]) {
    const memory = createMemoryRateLimitStore();
    const shared = redisStore();
    const expected: RateLimitDecision[] = [];
    const actual: RateLimitDecision[] = [];
    for (const now of times) {
      expected.push(await memory.consume('k', rule, now));
      actual.push(await shared.consume('k', rule, now));
    }
    return { expected, actual };
  }

  it('decides exactly as the memory store, retry-after and repeated included', async () => {
    const rule = { limit: 3, windowSeconds: 60 };
    const times = [0, 0, 0, 0, 1_000, 1_000, 19_500, 20_000, 20_000, 39_999]
      // Long after: the whole burst again, from now and not from the old arrival time.
      .concat([100_000, 100_000, 100_000, 100_000]);
    const { expected, actual } = await replay(
      rule,
      times.map((t) => T0 + t),
    );
    expect(actual).toEqual(expected);
    // The sequence covers every kind of answer, so the equality above says something.
    expect(actual.slice(3, 7)).toEqual([
      { allowed: false, retryAfterSeconds: 20, repeated: false },
      { allowed: false, retryAfterSeconds: 19, repeated: true },
      { allowed: false, retryAfterSeconds: 19, repeated: true },
      { allowed: false, retryAfterSeconds: 1, repeated: true },
    ]);
    expect(actual[7]).toEqual({ allowed: true });
    expect(actual[8]).toMatchObject({ allowed: false, repeated: false });
    expect(actual.slice(10).map((d) => d.allowed)).toEqual([true, true, true, false]);
  });

  it('matches the memory store on a rule whose interval is not a whole millisecond', async () => {
    const rule = { limit: 7, windowSeconds: 10 };
    // A fixed pseudo-random walk: bursts, pauses and steps across interval boundaries.
    let t = T0;
    let seed = 42;
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const draw = seed >>> 8;
      t += draw % 12 === 0 ? (draw % 6_000) + 1 : draw % 40;
      times.push(t);
    }
    const { expected, actual } = await replay(rule, times);
    expect(actual).toEqual(expected);
    expect(actual.filter((d) => d.allowed).length).toBeGreaterThan(20);
    // The stored arrival time is exactly the one decide() computes, to the last bit.
    let tat: number | undefined;
    for (const now of times) tat = decide(tat, rule, now).tat ?? tat;
    expect(Number(await redis.hget(`${prefix}rl:k`, 't'))).toBe(tat);
    expect(actual.filter((d) => !d.allowed && d.repeated).length).toBeGreaterThan(20);
  });

  it('never admits more than the limit to attempts from two connections at once', async () => {
    const other = await connectTestRedis('rate-limit-test-2');
    opened.push(other);
    const stores = [redisStore(redis), redisStore(other)];
    const rule = { limit: 10, windowSeconds: 60 };
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => stores[i % 2]?.consume('burst', rule, T0)),
    );
    expect(decisions.filter((decision) => decision?.allowed)).toHaveLength(10);
  });

  it('lets a key expire once its allowance has fully recovered', async () => {
    const rule = { limit: 3, windowSeconds: 60 };
    const store = redisStore();
    const key = `${prefix}rl:ttl`;
    await store.consume('ttl', rule, T0);
    const first = await redis.pttl(key);
    expect(first).toBeGreaterThan(19_000);
    expect(first).toBeLessThanOrEqual(20_000);
    await store.consume('ttl', rule, T0);
    await store.consume('ttl', rule, T0);
    expect(await redis.pttl(key)).toBeGreaterThan(59_000);
    // A refusal keeps the expiry of the last admitted attempt.
    expect((await store.consume('ttl', rule, T0)).allowed).toBe(false);
    const refused = await redis.pttl(key);
    expect(refused).toBeGreaterThan(59_000);
    expect(refused).toBeLessThanOrEqual(60_000);
  });

  it('loads the script again after the server forgot it', async () => {
    const rule = { limit: 1, windowSeconds: 60 };
    const store = redisStore();
    await store.consume('a', rule, T0);
    await redis.script('FLUSH');
    expect(await store.consume('a', rule, T0)).toMatchObject({ allowed: false });
    expect(await store.consume('b', rule, T0)).toEqual({ allowed: true });
  });

  it('falls back to the in-process store when Redis is unreachable, warning once', async () => {
    const port = await closedPort();
    const logger = createRecordingLogger();
    const away = openRedisConnection(`redis://127.0.0.1:${port}`, {
      name: 'nowhere',
      logger: silentLogger,
    });
    opened.push(away);
    const store = createRedisRateLimitStore(away, {
      prefix,
      fallback: createMemoryRateLimitStore(),
      logger,
    });
    const rule = { limit: 2, windowSeconds: 60 };
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await store.consume('k', rule, T0));
    expect(decisions).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterSeconds: 30, repeated: false },
      { allowed: false, retryAfterSeconds: 30, repeated: true },
    ]);
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);
  });

  it('counts in process during an outage and in Redis again once it is back', async () => {
    const proxy = await startTcpProxy(testRedisTarget());
    try {
      const logger = createRecordingLogger();
      const through = openRedisConnection(testRedisUrlThrough(proxy.port), {
        name: 'proxied',
        logger: silentLogger,
      });
      opened.push(through);
      await waitFor(() => through.status === 'ready', 5000);
      const fallback = countingStore(createMemoryRateLimitStore());
      const store = createRedisRateLimitStore(through, { prefix, fallback, logger });
      const rule = { limit: 5, windowSeconds: 60 };
      expect(await store.consume('k', rule, T0)).toEqual({ allowed: true });
      proxy.cut();
      await waitFor(() => through.status !== 'ready', 2000);
      for (let i = 0; i < 3; i++) await store.consume('k', rule, T0);
      expect(fallback.calls).toBe(3);
      proxy.restore();
      await waitFor(() => through.status === 'ready', 3000);
      await store.consume('k', rule, T0);
      expect(fallback.calls).toBe(3);
      // The shared counter saw the attempts made through it: the first and the last.
      expect(Number(await redis.hget(`${prefix}rl:k`, 't'))).toBe(T0 + 2 * 12_000);
      expect(logger.entries.map((entry) => [entry.level, entry.message])).toEqual([
        ['warn', 'redis rate limits unavailable; counting per instance until it is back'],
        ['info', 'redis rate limits restored'],
      ]);
    } finally {
      await proxy.close();
    }
  });
});

function countingStore(inner: RateLimitStore): RateLimitStore & { calls: number } {
  const counting = {
    calls: 0,
    consume(...args: Parameters<RateLimitStore['consume']>) {
      counting.calls++;
      return inner.consume(...args);
    },
  };
  return counting;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
