import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Revocation, RevocationChannel } from '../../src/auth/ports/revocation-channel.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { closeRedisConnection } from '../../src/redis/connection.js';
import { createRedisRevocationChannel } from '../../src/redis/revocation-channel.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';
import {
  connectTestRedis,
  describeWithRedis,
  testRedisTarget,
  testRedisUrlThrough,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/** What one listener heard, with when (performance.now()) each revocation arrived. */
function createRecordingListener() {
  const heard = {
    revocations: [] as { revocation: Revocation; at: number }[],
    resets: 0,
    revoked(revocation: Revocation) {
      heard.revocations.push({ revocation, at: performance.now() });
    },
    reset() {
      heard.resets++;
    },
  };
  return heard;
}

describeWithRedis('Redis revocation channel', () => {
  let channelName: string;
  const connections: Redis[] = [];
  const channels: RevocationChannel[] = [];
  const proxies: TcpProxy[] = [];

  beforeEach(() => {
    channelName = `${uniquePrefix()}revocations`;
  });

  afterEach(async () => {
    await Promise.all(channels.splice(0).map((channel) => channel.close()));
    await Promise.all(connections.splice(0).map(closeRedisConnection));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  /** One instance's channel: its own subscriber and publisher, optionally through a proxy. */
  async function openChannel(options: { proxy?: TcpProxy; logger?: Logger } = {}) {
    const url = options.proxy ? testRedisUrlThrough(options.proxy.port) : undefined;
    const subscriber = await connectTestRedis('revocations-subscriber', url);
    const publisher = await connectTestRedis('revocations-publisher', url);
    connections.push(subscriber, publisher);
    const channel = createRedisRevocationChannel({
      subscriber,
      publisher,
      channelName,
      logger: options.logger ?? silentLogger,
    });
    channels.push(channel);
    const listener = createRecordingListener();
    channel.subscribe(listener);
    await waitFor(() => channel.isHealthy(), 3000);
    return { channel, listener, subscriber, publisher };
  }

  async function openProxy(): Promise<TcpProxy> {
    const proxy = await startTcpProxy(testRedisTarget());
    proxies.push(proxy);
    return proxy;
  }

  it('carries a revocation to another instance in well under a second', async () => {
    const a = await openChannel();
    const b = await openChannel();
    const revocation: Revocation = { kind: 'session', sessionId: 's1' };
    const sent = performance.now();
    await a.channel.publish(revocation);
    // This instance's own listeners hear it at once, and only once (no echo from Redis).
    expect(a.listener.revocations.map((entry) => entry.revocation)).toEqual([revocation]);
    await waitFor(() => b.listener.revocations.length > 0, 1000);
    const [arrived] = b.listener.revocations;
    expect(arrived?.revocation).toEqual(revocation);
    expect((arrived?.at ?? Number.POSITIVE_INFINITY) - sent).toBeLessThan(1000);

    const userWide: Revocation = { kind: 'user', userId: 'u1', exceptSessionId: 's2' };
    await b.channel.publish(userWide);
    await waitFor(() => a.listener.revocations.length === 2, 1000);
    expect(a.listener.revocations[1]?.revocation).toEqual(userWide);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.listener.revocations).toHaveLength(2);
    expect(b.listener.revocations).toHaveLength(2);
  });

  it('is healthy once subscribed, and resets its listeners then', async () => {
    const a = await openChannel();
    expect(a.channel.isHealthy()).toBe(true);
    expect(a.listener.resets).toBe(1);
    // The heartbeat keeps it healthy well past the one-second window.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(a.channel.isHealthy()).toBe(true);
    expect(a.listener.resets).toBe(1);
  });

  it('turns unhealthy and resets when its connections are cut, and recovers after', async () => {
    const proxy = await openProxy();
    const a = await openChannel({ proxy });
    const b = await openChannel();
    const resetsBefore = a.listener.resets;

    proxy.cut();
    await waitFor(() => !a.channel.isHealthy(), 1000);
    await waitFor(() => a.listener.resets > resetsBefore, 1000);
    const resetsWhileCut = a.listener.resets;

    proxy.restore();
    const recoveredIn = await waitFor(() => a.channel.isHealthy(), 3000);
    expect(recoveredIn).toBeLessThan(3000);
    // Re-subscribing resets again: announcements made meanwhile were missed.
    expect(a.listener.resets).toBeGreaterThan(resetsWhileCut);

    await b.channel.publish({ kind: 'session', sessionId: 'after' });
    await waitFor(() => a.listener.revocations.length === 1, 1000);
  });

  it('turns unhealthy when the server stops answering, before the connection fails', async () => {
    const proxy = await openProxy();
    const a = await openChannel({ proxy });
    const b = await openChannel();
    const resets = a.listener.resets;
    proxy.stall();
    await waitFor(() => !a.channel.isHealthy(), 1500);
    await waitFor(() => a.listener.resets > resets, 500);
    // Announcements made meanwhile are held back with the heartbeat's answers, and arrive.
    await b.channel.publish({ kind: 'session', sessionId: 'held' });
    proxy.restore();
    await waitFor(() => a.channel.isHealthy(), 3000);
    await waitFor(() => a.listener.revocations.length === 1, 1000);
  });

  it('reconnects a subscriber that stays silent', async () => {
    const proxy = await openProxy();
    const a = await openChannel({ proxy });
    proxy.stall();
    // Three seconds of silence: the channel drops the connection and subscribes anew.
    await waitFor(() => a.subscriber.status !== 'ready', 4500);
    proxy.restore();
    await waitFor(() => a.channel.isHealthy(), 3000);
  });

  it('ignores and logs a malformed message', async () => {
    const logger = createRecordingLogger();
    const a = await openChannel({ logger });
    const raw = await connectTestRedis('raw-publisher');
    connections.push(raw);
    for (const text of [
      'not json',
      '{"kind":"session"}',
      '{"origin":"x","kind":"user","userId":"u1"}',
      '{"origin":"x","kind":"everything"}',
    ]) {
      await raw.publish(channelName, text);
    }
    await raw.publish(channelName, '{"origin":"x","kind":"session","sessionId":"s9"}');
    await waitFor(() => a.listener.revocations.length === 1, 1000);
    expect(a.listener.revocations[0]?.revocation).toEqual({ kind: 'session', sessionId: 's9' });
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(4);
  });

  it('never throws when publishing fails, and sends the announcement once Redis is back', async () => {
    const proxy = await openProxy();
    const logger = createRecordingLogger();
    const a = await openChannel({ proxy, logger });
    const b = await openChannel();
    proxy.cut();
    await waitFor(() => a.publisher.status !== 'ready', 1000);
    const revocation: Revocation = { kind: 'session', sessionId: 'during-outage' };
    await expect(a.channel.publish(revocation)).resolves.toBeUndefined();
    expect(a.listener.revocations.map((entry) => entry.revocation)).toEqual([revocation]);
    expect(
      logger.entries.some((entry) => entry.message.startsWith('revocation announcement')),
    ).toBe(true);
    proxy.restore();
    await waitFor(() => b.listener.revocations.length === 1, 3000);
    expect(b.listener.revocations[0]?.revocation).toEqual(revocation);
  });

  it('hears nothing once closed', async () => {
    const a = await openChannel();
    const b = await openChannel();
    await a.channel.close();
    expect(a.channel.isHealthy()).toBe(false);
    await b.channel.publish({ kind: 'session', sessionId: 's1' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.listener.revocations).toHaveLength(0);
  });
});
