import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import type { Revocation, RevocationChannel } from '../../src/auth/ports/revocation-channel.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { closeRedisConnection } from '../../src/redis/connection.js';
import { createRedisRevocationChannel } from '../../src/redis/revocation-channel.js';
import { encodeRevocationMessage } from '../../src/redis/revocation-message.js';
import { createManualTicker, createTestClock } from '../helpers/clock.js';
import {
  connectTestRedis,
  testRedisTarget,
  testRedisUrlThrough,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/** The port's contract: healthy while heard from within the last second. */
export const HEALTH_WINDOW_MS = 1000;
/** The channel's default heartbeat. */
export const HEARTBEAT_MS = 250;

/** What one listener heard, with when (performance.now()) each revocation arrived. */
export interface RecordingListener {
  readonly revocations: { revocation: Revocation; at: number }[];
  resets: number;
  revoked(revocation: Revocation): void;
  reset(): void;
}

function createRecordingListener(): RecordingListener {
  const heard: RecordingListener = {
    revocations: [],
    resets: 0,
    revoked(revocation) {
      heard.revocations.push({ revocation, at: performance.now() });
    },
    reset() {
      heard.resets++;
    },
  };
  return heard;
}

export function revocationsOf(listener: RecordingListener): Revocation[] {
  return listener.revocations.map((entry) => entry.revocation);
}

/**
 * Channels on one fresh pub/sub channel per test, each with its own connections, test clock and
 * manual ticker (its heart beats only when the test ticks it). Closed after each test.
 */
export function useRevocationChannels() {
  let channelName = '';
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

  async function connect(name: string, url?: string): Promise<Redis> {
    const redis = await connectTestRedis(name, url);
    connections.push(redis);
    return redis;
  }

  /** One instance's channel, healthy; through `proxy` when given. */
  async function openChannel(options: { proxy?: TcpProxy; logger?: Logger } = {}) {
    const url = options.proxy ? testRedisUrlThrough(options.proxy.port) : undefined;
    const subscriber = await connect('revocations-subscriber', url);
    const publisher = await connect('revocations-publisher', url);
    const clock = createTestClock();
    const ticker = createManualTicker();
    const channel = createRedisRevocationChannel({
      subscriber,
      publisher,
      channelName,
      logger: options.logger ?? silentLogger,
      clock,
      ticker,
    });
    channels.push(channel);
    const listener = createRecordingListener();
    channel.subscribe(listener);
    await waitFor(() => channel.isHealthy(), 3000);
    return { channel, listener, subscriber, publisher, clock, ticker };
  }

  async function openProxy(): Promise<TcpProxy> {
    const proxy = await startTcpProxy(testRedisTarget());
    proxies.push(proxy);
    return proxy;
  }

  /**
   * Publishes a marker from a connection of its own and waits until every listener given heard
   * it. Redis delivers in order, so by then each has been delivered everything published before
   * the marker: what has not arrived will not.
   */
  async function publishMarker(...listeners: RecordingListener[]): Promise<Revocation> {
    const raw = await connect('marker-publisher');
    const sessionId = `marker-${randomUUID()}`;
    const marker: Revocation = { kind: 'session', sessionId };
    await raw.publish(
      channelName,
      encodeRevocationMessage({ origin: 'marker', revocation: marker }),
    );
    function heardMarker(listener: RecordingListener): boolean {
      return revocationsOf(listener).some(
        (revocation) => revocation.kind === 'session' && revocation.sessionId === sessionId,
      );
    }
    await waitFor(() => listeners.every(heardMarker), 1000);
    return marker;
  }

  return {
    channelName: (): string => channelName,
    connect,
    openChannel,
    openProxy,
    publishMarker,
  };
}
