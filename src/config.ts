import { isValidEmail, normaliseEmail } from './auth/accounts/email.js';
import type { MfaSettings } from './auth/factors/mfa-settings.js';
import { SuppliedKeysError } from './auth/keys/supplied-keys.js';
import type { RateLimitRules } from './auth/limits/rate-limit-rules.js';
import type { LinkSettings } from './auth/recovery/link-settings.js';
import type { TokenLifetimes } from './auth/tokens/token-types.js';
import { type DatabaseConfig, readDatabase } from './config/database.js';
import {
  ConfigError,
  type Environment,
  readBoolean,
  readDuration,
  readInteger,
  readOptional,
} from './config/environment.js';
import { type HeapConfig, readHeap } from './config/heap.js';
import { readLifetimes } from './config/lifetimes.js';
import { type LiveConfig, readLive } from './config/live.js';
import {
  type MailConfig,
  readLinkSettings,
  readMail,
  readPublicUrl,
  readRequireEmailVerification,
} from './config/mail.js';
import { readMfa } from './config/mfa.js';
import { type MfaKeysConfig, readMfaKeysFor } from './config/mfa-keys.js';
import {
  type MetricsConfig,
  readAllowedOrigins,
  readLogLevel,
  readMetrics,
} from './config/operations.js';
import { readRateLimits, readTrustProxy } from './config/rate-limits.js';
import { type RedisConfig, readRedis } from './config/redis.js';
import { readSigningKeys, type SigningKeysConfig } from './config/signing-keys.js';
import type { LogLevel } from './logger.js';

export type { TokenLifetimes } from './auth/tokens/token-types.js';
// The configuration is one module: this file assembles it, the files in config/ read its parts.
// Nothing else reads the environment.
export type { DatabaseConfig } from './config/database.js';
export { ConfigError, type Environment } from './config/environment.js';
export type { LiveConfig } from './config/live.js';
export type { MailConfig } from './config/mail.js';
export type { MfaKeysConfig } from './config/mfa-keys.js';
export type { MetricsConfig } from './config/operations.js';
export { RATE_LIMIT_DEFAULTS } from './config/rate-limits.js';
export type { RedisConfig } from './config/redis.js';
export type { SigningKeysConfig } from './config/signing-keys.js';

/**
 * True for an error whose message is written for the operator and names the variable at
 * fault: a bad setting, or supplied signing keys that cannot be used. Start-up prints it alone.
 */
export function isConfigurationError(error: unknown): error is ConfigError | SuppliedKeysError {
  return error instanceof ConfigError || error instanceof SuppliedKeysError;
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
  /** Applied by heap-defaults.ts before anything else; read here so a bad value is reported. */
  readonly heap: HeapConfig;
  /** Rate limits and revocations shared between instances through Redis; null for none. */
  readonly redis: RedisConfig | null;
  /** Seconds SIGTERM waits for in-flight requests before closing their connections. */
  readonly shutdownTimeout: number;
  /** The `sessionEnded` streams' limits and the revocation feed. */
  readonly live: LiveConfig;
  /** PUBLIC_URL: the base of the service's own pages (AUTH_ISSUER by default). */
  readonly publicUrl: string;
  readonly links: LinkSettings;
  readonly mail: MailConfig;
  readonly requireEmailVerification: boolean;
  /** The second factor's settings (the encryption keys are in `mfaKeys`). */
  readonly mfa: MfaSettings;
  /** The key ring that seals TOTP secrets (MFA_ENCRYPTION_KEYS(_FILE)), or where one is made. */
  readonly mfaKeys: MfaKeysConfig;
}

/**
 * Who reads the configuration. The command line issues no tokens, so it needs no issuer of its
 * own outside production.
 */
export type ConfigUse = 'server' | 'cli';

/**
 * Reads and validates every setting the service has. This is the only place that looks at the
 * environment; the result is frozen and passed to whoever needs it.
 *
 * @throws ConfigError for the first invalid variable.
 */
export function loadConfig(env: Environment, use: ConfigUse = 'server'): Config {
  const nodeEnv = env.NODE_ENV?.trim() ?? '';
  const isProduction = nodeEnv === 'production';
  const port = readPort(env);
  const database = readDatabase(env);
  const issuerRequirement = requiredIssuer(isProduction, database, use);
  const issuer = readIssuer(env, 'AUTH_ISSUER', issuerRequirement) ?? `http://localhost:${port}`;
  const audience = readIssuer(env, 'AUTH_AUDIENCE', issuerRequirement) ?? issuer;
  const refreshTokenCookie = readBoolean(env, 'REFRESH_TOKEN_COOKIE');
  const publicUrl = readPublicUrl(env, issuer);
  const allowedOrigins = readAllowedOrigins(env, refreshTokenCookie);

  return Object.freeze({
    port,
    host: readOptional(env, 'HOST'),
    database,
    issuer,
    audience,
    lifetimes: readLifetimes(env),
    adminEmails: readAdminEmails(env),
    rateLimits: readRateLimits(env),
    trustedProxyHops: readTrustProxy(env),
    auditRetention: readDuration(env, 'AUDIT_RETENTION', '90d', 60),
    maxRequestBytes: readInteger(env, 'MAX_REQUEST_BYTES', 2_097_152, 1_024, 16_777_216),
    signingKeys: readSigningKeys(env),
    accessTokenCacheSize: readInteger(env, 'ACCESS_TOKEN_CACHE_SIZE', 10_000, 0, 10_000_000),
    nodeEnv,
    isProduction,
    isDevelopment: nodeEnv === 'development',
    logLevel: readLogLevel(env),
    allowedOrigins,
    refreshTokenCookie,
    metrics: readMetrics(env),
    heap: readHeap(env),
    redis: readRedis(env),
    // At most an hour: far beyond any drain, and safely inside a Node timer's range.
    shutdownTimeout: readDuration(env, 'SHUTDOWN_TIMEOUT', '10s', 0, 3600),
    live: readLive(env),
    publicUrl,
    links: readLinkSettings(env, publicUrl),
    mail: readMail(env, isProduction, use === 'server'),
    requireEmailVerification: readRequireEmailVerification(env),
    mfa: readMfa(env, { issuer, publicUrl, allowedOrigins }),
    mfaKeys: readMfaKeysFor(use, env, database, isProduction),
  });
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

/**
 * Why AUTH_ISSUER and AUTH_AUDIENCE must be set, or null when the default may stand. The default
 * names this process's port, so it changes with PORT: every token issued before a restart on
 * another port, or by another instance on the same PostgreSQL database, would be refused.
 */
function requiredIssuer(
  isProduction: boolean,
  database: DatabaseConfig,
  use: ConfigUse,
): string | null {
  if (isProduction) return 'required when NODE_ENV=production';
  if (database.kind === 'postgres' && use === 'server') {
    return (
      'required with a PostgreSQL DATABASE_URL, so that every instance sharing the database ' +
      'issues and accepts the same tokens (the default, http://localhost:<PORT>, follows PORT)'
    );
  }
  return null;
}

function readIssuer(env: Environment, name: string, required: string | null): string | undefined {
  const raw = readOptional(env, name);
  if (raw === undefined) {
    if (required !== null) throw new ConfigError(name, `${required}; expected an absolute URL`, '');
    return undefined;
  }
  if (!URL.canParse(raw)) {
    throw new ConfigError(name, 'expected an absolute URL such as https://auth.example.com', raw);
  }
  return raw;
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
