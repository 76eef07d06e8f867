import { createMemoryRateLimitStore } from '../auth/limits/rate-limit.js';
import type { RateLimitStore } from '../auth/ports/rate-limit-store.js';
import type { RevocationChannel } from '../auth/ports/revocation-channel.js';
import type { Store } from '../auth/ports/store.js';
import { announceRevocations } from '../auth/sessions/announce-revocations.js';
import {
  createCachedSessionLiveness,
  readSessionLivenessFromStore,
  type SessionLiveness,
} from '../auth/sessions/session-liveness.js';
import type { Clock } from '../clock.js';
import type { RedisConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { closeRedisConnection, openRedisConnection, waitUntilReady } from './connection.js';
import { createRedisRateLimitStore } from './rate-limit-store.js';
import { createRevocationAnnouncer } from './revocation-announcer.js';
import { createRedisRevocationChannel } from './revocation-channel.js';

/** What a service instance shares with the others through Redis. */
export interface SharedState {
  /** The store given, announcing every revocation it writes. */
  readonly store: Store;
  readonly rateLimits: RateLimitStore;
  readonly liveness: SessionLiveness;
  readonly channel: RevocationChannel;
  /** True when Redis answered before start-up went on without it. */
  readonly connected: boolean;
  /** Sessions in the liveness cache now (0 when SESSION_CACHE_TTL=0). */
  cachedSessions(): number;
  /** Keys the per-instance rate-limit fallback holds: those counted while Redis could not. */
  fallbackRateLimitKeys(): number;
  /** Closes the channel and the connections, not the store. */
  close(): Promise<void>;
}

export interface SharedStateOptions {
  readonly logger: Logger;
  /** What the revocation channel's health window is measured on: a monotonic clock in production. */
  readonly clock: Clock;
  /** How long start-up waits for Redis before serving without it; 2 s by default. */
  readonly readyTimeoutMs?: number;
}

export function revocationChannelName(config: RedisConfig): string {
  return `${config.keyPrefix}revocations`;
}

/**
 * Opens two connections (commands, and a subscriber) and builds the shared rate limits, the
 * revocation channel, the session liveness cache (the store reader when SESSION_CACHE_TTL=0)
 * and the announcing store. A Redis that is down at start is not fatal: the instance serves
 * with per-instance limits and store reads until it comes back.
 */
export async function openSharedState(
  config: RedisConfig,
  store: Store,
  options: SharedStateOptions,
): Promise<SharedState> {
  const { logger, clock } = options;
  const { commandTimeoutMs } = config;
  // Rate limits and announcements: a silent connection is replaced, so that requests stop
  // waiting out the command timeout and fall back at once until Redis answers again.
  const commands = openRedisConnection(config.url, {
    name: 'auth-commands',
    logger,
    commandTimeoutMs,
    dropWhenSilent: true,
  });
  // The revocation channel's heartbeat watches this one's silence itself.
  const subscriber = openRedisConnection(config.url, {
    name: 'auth-revocations',
    logger,
    commandTimeoutMs,
  });
  const readyTimeoutMs = options.readyTimeoutMs ?? 2000;
  const ready = await Promise.all([
    waitUntilReady(commands, readyTimeoutMs),
    waitUntilReady(subscriber, readyTimeoutMs),
  ]);
  const connected = ready.every(Boolean);
  logger.info('redis in use for rate limits and revocations', {
    host: config.host,
    keyPrefix: config.keyPrefix,
    sessionCacheTtl: config.sessionCacheTtl,
  });
  if (!connected) {
    logger.warn('redis not reachable yet; per-instance rate limits and store reads until it is', {
      host: config.host,
    });
  }

  const channel = createRedisRevocationChannel({
    subscriber,
    publisher: commands,
    channelName: revocationChannelName(config),
    logger,
    clock,
  });
  const cached =
    config.sessionCacheTtl > 0
      ? createCachedSessionLiveness(store.sessions, channel, {
          maxEntries: config.sessionCacheSize,
          maxAgeMs: config.sessionCacheTtl * 1000,
        })
      : null;

  const fallback = createMemoryRateLimitStore();

  return {
    store: announceRevocations(store, channel),
    rateLimits: createRedisRateLimitStore(commands, { prefix: config.keyPrefix, fallback, logger }),
    liveness: cached ?? readSessionLivenessFromStore(store.sessions),
    channel,
    connected,
    cachedSessions: () => cached?.size ?? 0,
    fallbackRateLimitKeys: () => fallback.size,
    async close() {
      cached?.close();
      await channel.close();
      await Promise.all([closeRedisConnection(commands), closeRedisConnection(subscriber)]);
    },
  };
}

/**
 * For short-lived processes (the CLI): the store given, announcing the revocations it writes
 * over one connection; closing the returned store also closes that connection.
 */
export function openAnnouncingStore(config: RedisConfig, store: Store, logger: Logger): Store {
  // Lazy: a command that revokes nothing never connects.
  const publisher = openRedisConnection(config.url, {
    name: 'auth-cli',
    logger,
    commandTimeoutMs: config.commandTimeoutMs,
    lazy: true,
  });
  const channel = createRevocationAnnouncer({
    publisher,
    channelName: revocationChannelName(config),
    logger,
  });
  const announcing = announceRevocations(store, channel);
  return {
    ...announcing,
    async close() {
      await channel.close();
      await closeRedisConnection(publisher);
      await store.close();
    },
  };
}
