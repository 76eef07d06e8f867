import { readFileSync } from 'node:fs';
import { isValidEmail, normaliseEmail } from './auth/email.js';
import type { RateLimitRule } from './auth/rate-limit.js';
import {
  DEFAULT_SIGNING_ALGORITHM,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from './auth/signing-keys.js';
import type { RateLimitRules } from './auth/types.js';
import { parseDurationSeconds } from './duration.js';
import type { LogLevel } from './logger.js';

/** Where the store lives. Only embedded SQLite exists today. */
export interface DatabaseConfig {
  readonly kind: 'sqlite';
  /** A file path, or `:memory:` for a throw-away database. */
  readonly path: string;
}

/** Token and session lifetimes, all in whole seconds. */
export interface TokenLifetimes {
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly sessionMaxAge: number;
  readonly refreshReuseInterval: number;
}

/** Where signing keys come from, and which algorithm new keys use. */
export interface SigningKeysConfig {
  /** `AUTH_SIGNING_ALGORITHM`: the algorithm of keys generated from now on. */
  readonly algorithm: SigningAlgorithm;
  /**
   * Keys supplied by the operator (a JWK Set with private keys) instead of the store, with the
   * variable they came from; null when the store holds the keys.
   */
  readonly supplied: { readonly variable: string; readonly json: string } | null;
}

export interface Config {
  readonly port: number;
  readonly host: string | undefined;
  readonly database: DatabaseConfig;
  readonly issuer: string;
  readonly audience: string;
  readonly lifetimes: TokenLifetimes;
  readonly adminEmails: ReadonlySet<string>;
  readonly rateLimits: RateLimitRules;
  /**
   * How many proxies in front of the service append to X-Forwarded-For; 0 means the header is
   * ignored and the socket address is the client.
   */
  readonly trustedProxyHops: number;
  /** How long audit events are kept, in seconds. */
  readonly auditRetention: number;
  /** Largest request body accepted, in bytes. */
  readonly maxRequestBytes: number;
  readonly signingKeys: SigningKeysConfig;
  /** Verified access tokens remembered per process; 0 turns the cache off. */
  readonly accessTokenCacheSize: number;
  readonly nodeEnv: string;
  readonly isProduction: boolean;
  /** Development mode: masked errors carry their original message, for local debugging only. */
  readonly isDevelopment: boolean;
  readonly logLevel: LogLevel;
  /** Browser origins allowed to call the API (CORS and the Origin check); empty means any. */
  readonly allowedOrigins: readonly string[];
  /** Cookie mode: the refresh token also travels in an HttpOnly cookie. */
  readonly refreshTokenCookie: boolean;
  readonly metrics: MetricsConfig;
  /** Seconds SIGTERM waits for in-flight requests before closing their connections. */
  readonly shutdownTimeout: number;
}

export interface MetricsConfig {
  /** Whether `GET /metrics` exists and the Prometheus collectors run. */
  readonly enabled: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
}

/** Thrown by {@link loadConfig}; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, accepts: string, got: string) {
    super(`Invalid ${variable}=${JSON.stringify(got)}: ${accepts}.`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

const DURATION_ACCEPTS =
  'expected whole seconds (900) or a number with s, m, h or d (30s, 15m, 12h, 14d)';

/**
 * Reads and validates every setting the service has. This is the only place that looks at the
 * environment; the result is frozen and passed to whoever needs it.
 *
 * @throws ConfigError for the first invalid variable.
 */
export function loadConfig(env: Environment): Config {
  const nodeEnv = env.NODE_ENV?.trim() ?? '';
  const isProduction = nodeEnv === 'production';
  const port = readPort(env);
  const issuer = readIssuer(env, 'AUTH_ISSUER', isProduction) ?? `http://localhost:${port}`;
  const audience = readIssuer(env, 'AUTH_AUDIENCE', isProduction) ?? issuer;
  const refreshTokenCookie = readBoolean(env, 'REFRESH_TOKEN_COOKIE');

  return Object.freeze({
    port,
    host: readOptional(env, 'HOST'),
    database: readDatabase(env),
    issuer,
    audience,
    lifetimes: readLifetimes(env),
    adminEmails: readAdminEmails(env),
    rateLimits: readRateLimits(env),
    trustedProxyHops: readTrustProxy(env),
    auditRetention: readDuration(env, 'AUDIT_RETENTION', '90d', 60),
    maxRequestBytes: readInteger(env, 'MAX_REQUEST_BYTES', 2_097_152, 1_024, 16_777_216),
    signingKeys: readSigningKeys(env),
    accessTokenCacheSize: readCount(env, 'ACCESS_TOKEN_CACHE_SIZE', 10_000),
    nodeEnv,
    isProduction,
    isDevelopment: nodeEnv === 'development',
    logLevel: readLogLevel(env),
    allowedOrigins: readAllowedOrigins(env, refreshTokenCookie),
    refreshTokenCookie,
    metrics: readMetrics(env),
    shutdownTimeout: readDuration(env, 'SHUTDOWN_TIMEOUT', '10s', 0),
  });
}

function readOptional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readPort(env: Environment): number {
  const raw = readOptional(env, 'PORT');
  if (raw === undefined) return 4000;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new ConfigError('PORT', 'expected an integer from 0 to 65535', raw);
  }
  return port;
}

function readDatabase(env: Environment): DatabaseConfig {
  const raw = readOptional(env, 'DATABASE_URL') ?? 'file:./data/auth.db';
  if (raw === ':memory:' || raw === 'file::memory:') return { kind: 'sqlite', path: ':memory:' };
  const path = raw.startsWith('file:') ? raw.slice('file:'.length) : '';
  if (path === '' || path.includes('?')) {
    throw new ConfigError(
      'DATABASE_URL',
      'expected file:<path> for an SQLite database (for example file:./data/auth.db) or :memory:',
      raw,
    );
  }
  return { kind: 'sqlite', path };
}

function readCount(env: Environment, name: string, fallback: number): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const count = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(count)) {
    throw new ConfigError(name, 'expected a whole number (0 or more)', raw);
  }
  return count;
}

function readIssuer(env: Environment, name: string, required: boolean): string | undefined {
  const raw = readOptional(env, name);
  if (raw === undefined) {
    if (required) {
      throw new ConfigError(
        name,
        'required when NODE_ENV=production; expected an absolute URL',
        '',
      );
    }
    return undefined;
  }
  if (!URL.canParse(raw)) {
    throw new ConfigError(name, 'expected an absolute URL such as https://auth.example.com', raw);
  }
  return raw;
}

function readDuration(env: Environment, name: string, fallback: string, min: number): number {
  const raw = readOptional(env, name) ?? fallback;
  const seconds = parseDurationSeconds(raw);
  if (seconds === null || seconds < min) {
    const floor = min > 0 ? `, at least ${min}s` : '';
    throw new ConfigError(name, `${DURATION_ACCEPTS}${floor}`, raw);
  }
  return seconds;
}

function readLifetimes(env: Environment): TokenLifetimes {
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

function readAdminEmails(env: Environment): ReadonlySet<string> {
  const raw = readOptional(env, 'AUTH_ADMIN_EMAILS');
  const emails = new Set<string>();
  for (const entry of raw?.split(',') ?? []) {
    const email = normaliseEmail(entry);
    if (email === '') continue;
    if (!isValidEmail(email)) {
      throw new ConfigError(
        'AUTH_ADMIN_EMAILS',
        'expected a comma-separated list of e-mail addresses',
        entry,
      );
    }
    emails.add(email);
  }
  return emails;
}

/** Defaults: short windows that slow guessing to a crawl without locking anyone out for long. */
export const RATE_LIMIT_DEFAULTS = {
  RATE_LIMIT_LOGIN_IP: '20/1m',
  RATE_LIMIT_LOGIN_ACCOUNT: '10/15m',
  RATE_LIMIT_SIGNUP_IP: '10/10m',
  RATE_LIMIT_REISSUE_IP: '60/1m',
  RATE_LIMIT_CHANGE_PASSWORD_IP: '10/15m',
  RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT: '5/15m',
} as const;

type RateLimitVariable = keyof typeof RATE_LIMIT_DEFAULTS;

function readRateLimits(env: Environment): RateLimitRules {
  const read = (name: RateLimitVariable) => readRateLimitRule(env, name);
  return Object.freeze({
    loginPerIp: read('RATE_LIMIT_LOGIN_IP'),
    loginPerAccount: read('RATE_LIMIT_LOGIN_ACCOUNT'),
    signUpPerIp: read('RATE_LIMIT_SIGNUP_IP'),
    reissuePerIp: read('RATE_LIMIT_REISSUE_IP'),
    changePasswordPerIp: read('RATE_LIMIT_CHANGE_PASSWORD_IP'),
    changePasswordPerAccount: read('RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT'),
  });
}

/** `<count>/<duration>` such as `10/15m`, or `off`. */
function readRateLimitRule(env: Environment, name: RateLimitVariable): RateLimitRule | null {
  const raw = readOptional(env, name) ?? RATE_LIMIT_DEFAULTS[name];
  if (raw.toLowerCase() === 'off') return null;
  const [count = '', window = ''] = raw.split('/');
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

function readTrustProxy(env: Environment): number {
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

function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,12}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function readBoolean(env: Environment, name: string): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, 'expected true or false', raw);
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function readLogLevel(env: Environment): LogLevel {
  const raw = readOptional(env, 'LOG_LEVEL') ?? 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`, raw);
  }
  return level;
}

function readAllowedOrigins(env: Environment, refreshTokenCookie: boolean): readonly string[] {
  const raw = readOptional(env, 'ALLOWED_ORIGINS');
  const origins: string[] = [];
  for (const entry of raw?.split(',') ?? []) {
    const origin = entry.trim();
    if (origin === '') continue;
    // An origin is scheme://host[:port] and nothing else; `new URL(x).origin` must give it back.
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(
        'ALLOWED_ORIGINS',
        'expected a comma-separated list of origins such as https://app.example.com (scheme, host and port; no path or trailing slash)',
        entry,
      );
    }
    origins.push(origin);
  }
  if (refreshTokenCookie && origins.length === 0) {
    // A cookie is sent by the browser on its own, so which sites may call must be explicit.
    throw new ConfigError(
      'ALLOWED_ORIGINS',
      'required when REFRESH_TOKEN_COOKIE=true; expected the origins of the browser apps, such as https://app.example.com',
      raw ?? '',
    );
  }
  return Object.freeze(origins);
}

function readMetrics(env: Environment): MetricsConfig {
  const raw = readOptional(env, 'METRICS') ?? 'on';
  if (raw !== 'on' && raw !== 'off') throw new ConfigError('METRICS', 'expected on or off', raw);
  const token = readOptional(env, 'METRICS_TOKEN');
  if (token !== undefined && !/^[\x21-\x7e]{16,}$/.test(token)) {
    // Shown as a length only: the value is a secret and error messages end up in logs.
    throw new ConfigError(
      'METRICS_TOKEN',
      'expected at least 16 printable characters without spaces',
      `<${token.length} characters>`,
    );
  }
  return Object.freeze({ enabled: raw === 'on', token });
}

function readSigningKeys(env: Environment): SigningKeysConfig {
  const rawAlgorithm = readOptional(env, 'AUTH_SIGNING_ALGORITHM') ?? DEFAULT_SIGNING_ALGORITHM;
  if (!isSigningAlgorithm(rawAlgorithm)) {
    throw new ConfigError(
      'AUTH_SIGNING_ALGORITHM',
      `expected one of ${SIGNING_ALGORITHMS.join(', ')}`,
      rawAlgorithm,
    );
  }
  const inline = readOptional(env, 'AUTH_SIGNING_KEYS');
  const file = readOptional(env, 'AUTH_SIGNING_KEYS_FILE');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(
      'AUTH_SIGNING_KEYS_FILE',
      'set either AUTH_SIGNING_KEYS or AUTH_SIGNING_KEYS_FILE, not both',
      file,
    );
  }
  if (inline !== undefined) {
    return { algorithm: rawAlgorithm, supplied: { variable: 'AUTH_SIGNING_KEYS', json: inline } };
  }
  if (file !== undefined) {
    let json: string;
    try {
      json = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      throw new ConfigError(
        'AUTH_SIGNING_KEYS_FILE',
        `expected a readable file holding a JWK Set (${reason})`,
        file,
      );
    }
    return { algorithm: rawAlgorithm, supplied: { variable: 'AUTH_SIGNING_KEYS_FILE', json } };
  }
  return { algorithm: rawAlgorithm, supplied: null };
}
