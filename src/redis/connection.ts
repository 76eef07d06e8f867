import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

/*
 * Connections that fail fast. A request must never wait for a Redis that is away: while
 * disconnected, commands are refused at once (no offline queue) and callers fall back to
 * in-process state; a command that gets no answer fails after `commandTimeoutMs`. Connecting is
 * bounded too: the TCP connection by the connect timeout, and the handshake after it (the ready
 * check) by the command timeout, after which ioredis drops the connection and tries again, so a
 * network that accepts connections and then stays silent cannot hold one "connecting" for ever.
 * Reconnection retries with a backoff capped at one second, so an outage ends soon after Redis
 * is back.
 */

export interface RedisConnectionOptions {
  /** Names the connection in logs and in Redis's CLIENT LIST. */
  readonly name: string;
  readonly logger: Logger;
  /** How long a command may wait for its answer; 500 ms by default (REDIS_COMMAND_TIMEOUT). */
  readonly commandTimeoutMs?: number;
  /**
   * Drops the connection, and connects anew, once a command got no byte back within
   * `commandTimeoutMs`: until the new one is ready, commands are refused at once instead of
   * each waiting out its timeout. For connections whose silence nothing else watches; the
   * revocation subscriber has its own heartbeat, and keeps its connection through a short
   * silence, since a new one loses the subscription.
   */
  readonly dropWhenSilent?: boolean;
  /** Connect on first use (see {@link waitUntilReady}) instead of at once. */
  readonly lazy?: boolean;
}

const RECONNECT_CAP_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 500;

/** The ioredis options behind {@link openRedisConnection}, exported for tests. */
export function failFastOptions(
  name: string,
  commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
): RedisOptions {
  return {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    // The TCP connection: a second, or the command timeout if longer. Each handshake command
    // then has the command timeout.
    connectTimeout: Math.max(RECONNECT_CAP_MS, commandTimeoutMs),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, RECONNECT_CAP_MS),
    // The revocation channel subscribes again itself, so that it knows when it is listening.
    autoResubscribe: false,
  };
}

/**
 * Connects to `url` in the background. Connection errors are logged once per outage (the URL,
 * which may hold a password, is never logged), and the return of the connection once.
 */
export function openRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const { name, logger } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const redis = new Redis(url, {
    ...failFastOptions(name, commandTimeoutMs),
    // ioredis destroys the socket when no byte answers a pending command within this.
    ...(options.dropWhenSilent === true ? { socketTimeout: commandTimeoutMs } : {}),
    lazyConnect: options.lazy === true,
  });
  let failing = false;
  redis.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn('redis connection failed; retrying', { connection: name, error: error.message });
  });
  redis.on('ready', () => {
    if (!failing) return;
    failing = false;
    logger.info('redis connection restored', { connection: name });
  });
  return redis;
}

/**
 * Resolves true once `redis` is ready, or false after `timeoutMs` without it. Starts a lazy
 * connection that was not started yet.
 */
export function waitUntilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  if (redis.status === 'wait') {
    redis.connect().catch(() => {
      // Reported by the connection's error handler; the wait below times out.
    });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    function onReady(): void {
      clearTimeout(timer);
      resolve(true);
    }
    redis.once('ready', onReady);
  });
}

/** Closes politely when connected (pending replies arrive), at once otherwise. */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    // QUIT failed because the connection dropped meanwhile: it is closed either way.
    redis.disconnect();
  }
}
