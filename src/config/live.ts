import type { StreamLimits } from '../auth/live/session-ended-streams.js';
import { ConfigError, type Environment, readInteger, readOptional } from './environment.js';

/** Live revocation: the `sessionEnded` streams and the `GET /revocations` feed. */
export interface LiveConfig {
  readonly streamLimits: StreamLimits;
  /** The bearer token `GET /revocations` answers; undefined turns the feed off (404). */
  readonly revocationFeedToken: string | undefined;
}

export function readLive(env: Environment): LiveConfig {
  const token = readOptional(env, 'REVOCATION_FEED_TOKEN');
  if (token !== undefined && !/^[\x21-\x7e]{32,}$/.test(token)) {
    // Shown as a length only: the value is a secret and error messages end up in logs.
    throw new ConfigError(
      'REVOCATION_FEED_TOKEN',
      'expected at least 32 printable characters without spaces (for example `openssl rand -hex 32`)',
      `<${token.length} characters>`,
    );
  }
  return Object.freeze({
    streamLimits: Object.freeze({
      perUser: readInteger(env, 'SUBSCRIPTION_LIMIT_USER', 20, 1, 10_000),
      perAddress: readInteger(env, 'SUBSCRIPTION_LIMIT_IP', 200, 1, 1_000_000),
    }),
    revocationFeedToken: token,
  });
}
