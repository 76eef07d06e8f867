import type { TokenLifetimes } from '../auth/tokens/token-types.js';
import { ConfigError, type Environment, readDuration } from './environment.js';

/** The token and session lifetimes, each shorter than the one that bounds it. */
export function readLifetimes(env: Environment): TokenLifetimes {
  const lifetimes = {
    accessTokenTtl: readDuration(env, 'ACCESS_TOKEN_TTL', '15m', 1),
    refreshTokenTtl: readDuration(env, 'REFRESH_TOKEN_TTL', '14d', 1),
    sessionMaxAge: readDuration(env, 'SESSION_MAX_AGE', '30d', 1),
    refreshReuseInterval: readDuration(env, 'REFRESH_REUSE_INTERVAL', '10s', 0),
  };
  if (lifetimes.accessTokenTtl > lifetimes.refreshTokenTtl) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL',
      `must not exceed REFRESH_TOKEN_TTL (${lifetimes.refreshTokenTtl}s)`,
      env.ACCESS_TOKEN_TTL ?? '15m',
    );
  }
  if (lifetimes.refreshTokenTtl > lifetimes.sessionMaxAge) {
    throw new ConfigError(
      'REFRESH_TOKEN_TTL',
      `must not exceed SESSION_MAX_AGE (${lifetimes.sessionMaxAge}s)`,
      env.REFRESH_TOKEN_TTL ?? '14d',
    );
  }
  if (lifetimes.refreshReuseInterval >= lifetimes.refreshTokenTtl) {
    throw new ConfigError(
      'REFRESH_REUSE_INTERVAL',
      `must be shorter than REFRESH_TOKEN_TTL (${lifetimes.refreshTokenTtl}s)`,
      env.REFRESH_REUSE_INTERVAL ?? '10s',
    );
  }
  return Object.freeze(lifetimes);
}
