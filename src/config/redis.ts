import {
  ConfigError,
  type Environment,
  maskPassword,
  readDuration,
  readInteger,
  readMilliseconds,
  readOptional,
} from './environment.js';

/** Shared state between instances: rate-limit counters and revocation announcements. */
export interface RedisConfig {
  /** `redis://` or `rediss://` (TLS); may carry a user, a password and a database number. */
  readonly url: string;
  /** `host:port` only, for logs: the URL may hold a password. */
  readonly host: string;
  /** Put before every key and channel name, so several services can share one Redis. */
  readonly keyPrefix: string;
  /** How long a session found live may be trusted without the store, in seconds; 0 for never. */
  readonly sessionCacheTtl: number;
  /** How many sessions the liveness cache holds at most. */
  readonly sessionCacheSize: number;
  /**
   * How long a command waits for its answer, in milliseconds, before the caller falls back
   * (in-process rate limits, the store for liveness) and the connection is replaced.
   */
  readonly commandTimeoutMs: number;
}

const URL_ACCEPTS =
  'expected redis://[user:password@]host[:port][/db] or rediss://… for TLS, such as redis://127.0.0.1:6379';

/** Null when REDIS_URL is unset: every instance then keeps its own state. */
export function readRedis(env: Environment): RedisConfig | null {
  const raw = readOptional(env, 'REDIS_URL');
  if (raw === undefined) return null;
  const { url, host } = readRedisUrl(raw);
  return Object.freeze({
    url,
    host,
    keyPrefix: readKeyPrefix(env),
    // At most an hour: the cache shortens store reads, it is no place to keep sessions.
    sessionCacheTtl: readDuration(env, 'SESSION_CACHE_TTL', '30s', 0, 3600),
    sessionCacheSize: readInteger(env, 'SESSION_CACHE_SIZE', 10_000, 1, 10_000_000),
    // Every request that counts a rate limit may wait this long while Redis is silent.
    commandTimeoutMs: readMilliseconds(env, 'REDIS_COMMAND_TIMEOUT', '500ms', 10, 60_000),
  });
}

function readRedisUrl(raw: string): { url: string; host: string } {
  if (!URL.canParse(raw)) {
    // Not even a URL: show its length only, since a password may be anywhere in it.
    throw new ConfigError('REDIS_URL', URL_ACCEPTS, `<${raw.length} characters>`);
  }
  const parsed = new URL(raw);
  const shown = maskPassword(parsed);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', URL_ACCEPTS, shown);
  }
  if (parsed.hostname === '') {
    throw new ConfigError('REDIS_URL', `${URL_ACCEPTS}; the host is missing`, shown);
  }
  if (!/^\/?(\d{1,2})?$/.test(parsed.pathname) || parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError(
      'REDIS_URL',
      `${URL_ACCEPTS}; after the host only a database number may follow`,
      shown,
    );
  }
  return { url: raw, host: `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}` };
}

function readKeyPrefix(env: Environment): string {
  const raw = readOptional(env, 'REDIS_KEY_PREFIX') ?? 'auth:';
  if (!/^[\x21-\x7e]{1,64}$/.test(raw)) {
    throw new ConfigError(
      'REDIS_KEY_PREFIX',
      'expected 1 to 64 printable characters without spaces, such as auth:',
      raw,
    );
  }
  return raw;
}
