import type { RateLimitRules } from '../auth/limits/rate-limit-rules.js';
import type { RateLimitRule } from '../auth/ports/rate-limit-store.js';
import { parseDurationSeconds } from '../duration.js';
import { ConfigError, type Environment, readOptional } from './environment.js';

/** Defaults: short windows that slow guessing to a crawl without locking anyone out for long. */
export const RATE_LIMIT_DEFAULTS = {
  RATE_LIMIT_LOGIN_IP: '20/1m',
  RATE_LIMIT_LOGIN_ACCOUNT: '10/15m',
  RATE_LIMIT_SIGNUP_IP: '10/10m',
  RATE_LIMIT_REISSUE_IP: '60/1m',
  RATE_LIMIT_CHANGE_PASSWORD_IP: '10/15m',
  RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT: '5/15m',
  RATE_LIMIT_PASSWORD_RESET_IP: '10/15m',
  RATE_LIMIT_PASSWORD_RESET_ACCOUNT: '3/15m',
  RATE_LIMIT_EMAIL_IP: '10/15m',
  RATE_LIMIT_EMAIL_ACCOUNT: '3/15m',
  RATE_LIMIT_MFA_ACCOUNT: '5/5m',
  RATE_LIMIT_PASSKEY_IP: '30/5m',
} as const;

export type RateLimitVariable = keyof typeof RATE_LIMIT_DEFAULTS;

export function readRateLimits(env: Environment): RateLimitRules {
  const read = (name: RateLimitVariable) => readRateLimitRule(env, name);
  return Object.freeze({
    loginPerIp: read('RATE_LIMIT_LOGIN_IP'),
    loginPerAccount: read('RATE_LIMIT_LOGIN_ACCOUNT'),
    signUpPerIp: read('RATE_LIMIT_SIGNUP_IP'),
    reissuePerIp: read('RATE_LIMIT_REISSUE_IP'),
    changePasswordPerIp: read('RATE_LIMIT_CHANGE_PASSWORD_IP'),
    changePasswordPerAccount: read('RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT'),
    passwordResetPerIp: read('RATE_LIMIT_PASSWORD_RESET_IP'),
    passwordResetPerAccount: read('RATE_LIMIT_PASSWORD_RESET_ACCOUNT'),
    emailPerIp: read('RATE_LIMIT_EMAIL_IP'),
    emailPerAccount: read('RATE_LIMIT_EMAIL_ACCOUNT'),
    mfaPerAccount: read('RATE_LIMIT_MFA_ACCOUNT'),
    passkeyPerIp: read('RATE_LIMIT_PASSKEY_IP'),
  });
}

/** `<count>/<duration>` such as `10/15m`, or `off`. */
export function readRateLimitRule(env: Environment, name: RateLimitVariable): RateLimitRule | null {
  const raw = readOptional(env, name) ?? RATE_LIMIT_DEFAULTS[name];
  if (raw.toLowerCase() === 'off') return null;
  const parts = raw.split('/');
  const [count = '', window = ''] = parts.length === 2 ? parts : [];
  const limit = /^\d{1,6}$/.test(count.trim()) ? Number(count) : 0;
  const windowSeconds = parseDurationSeconds(window.trim());
  if (limit < 1 || windowSeconds === null || windowSeconds < 1) {
    throw new ConfigError(
      name,
      'expected <count>/<duration> such as 10/15m (count at least 1, window at least 1s), or off',
      raw,
    );
  }
  return { limit, windowSeconds };
}

export function readTrustProxy(env: Environment): number {
  const raw = readOptional(env, 'TRUST_PROXY') ?? 'false';
  const value = raw.toLowerCase();
  if (value === 'false') return 0;
  if (value === 'true') return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  throw new ConfigError(
    'TRUST_PROXY',
    'expected false, true (one proxy) or the number of proxies in front of the service',
    raw,
  );
}
