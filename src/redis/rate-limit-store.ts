import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimitDecision, RateLimitStore } from '../auth/ports/rate-limit-store.js';
import type { Logger } from '../logger.js';

/*
 * The GCRA step of auth/limits/rate-limit.ts `decide()`, run inside Redis so that every instance
 * shares one counter per key and concurrent attempts are serialised by Redis itself. The
 * arithmetic is the same, in the same double precision, with the caller's `now`, so a decision
 * here equals the one `decide()` and the memory store would make. The hash keeps the
 * theoretical arrival time `t` (written with 17 significant digits, which round-trip exactly)
 * and `r`, set while the key is refused since its last admitted attempt. The key expires when
 * its allowance has fully recovered, counted from the caller's clock, not Redis's.
 */
const GCRA_SCRIPT = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3]) * 1000
local interval = windowMs / limit
local stored = tonumber(redis.call('HGET', KEYS[1], 't'))
local tat = math.max(stored or now, now) + interval
if tat - now <= windowMs then
  redis.call('HSET', KEYS[1], 't', string.format('%.17g', tat), 'r', '0')
  redis.call('PEXPIRE', KEYS[1], math.ceil(tat - now))
  return {1, 0, 0}
end
local retryAfter = math.max(1, math.ceil((tat - now - windowMs) / 1000))
local repeated = 0
if redis.call('HGET', KEYS[1], 'r') == '1' then repeated = 1 end
redis.call('HSET', KEYS[1], 'r', '1')
return {0, retryAfter, repeated}
`;

const GCRA_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

export interface RedisRateLimitStoreOptions {
  /** Put before every key, e.g. `auth:`; the store adds `rl:`. */
  readonly prefix: string;
  /** Counts while Redis cannot: limits per instance during an outage, never none. */
  readonly fallback: RateLimitStore;
  readonly logger: Logger;
}

/**
 * Rate-limit counters in Redis, shared by every instance and updated atomically by one script
 * per attempt. When Redis fails or does not answer in time, the attempt is counted by
 * `fallback` instead; the switch is logged once when it starts and once when Redis is back.
 */
export function createRedisRateLimitStore(
  redis: Redis,
  options: RedisRateLimitStoreOptions,
): RateLimitStore {
  const { prefix, fallback, logger } = options;
  let degraded = false;

  async function runScript(key: string, args: string[]): Promise<unknown> {
    try {
      return await redis.evalsha(GCRA_SHA, 1, key, ...args);
    } catch (error) {
      // Scripts live in the server's cache, which a restart or SCRIPT FLUSH empties.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(GCRA_SCRIPT, 1, key, ...args);
    }
  }

  return {
    async consume(key, rule, now) {
      let reply: unknown;
      try {
        reply = await runScript(`${prefix}rl:${key}`, [
          String(now),
          String(rule.limit),
          String(rule.windowSeconds),
        ]);
      } catch (error) {
        if (!degraded) {
          degraded = true;
          logger.warn('redis rate limits unavailable; counting per instance until it is back', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
        return fallback.consume(key, rule, now);
      }
      if (degraded) {
        degraded = false;
        logger.info('redis rate limits restored');
      }
      return readDecision(reply);
    },
  };
}

function readDecision(reply: unknown): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every(Number.isInteger)) {
    throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
  }
  const [allowed, retryAfterSeconds, repeated] = reply as [number, number, number];
  if (allowed === 1) return { allowed: true };
  return { allowed: false, retryAfterSeconds, repeated: repeated === 1 };
}
