import type { LogLevel } from '../logger.js';
import { ConfigError, type Environment, readOptional } from './environment.js';

export interface MetricsConfig {
  /** Whether `GET /metrics` exists and the Prometheus collectors run. */
  readonly enabled: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function readLogLevel(env: Environment): LogLevel {
  const raw = readOptional(env, 'LOG_LEVEL') ?? 'info';
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`, raw);
  }
  return level;
}

export function readAllowedOrigins(
  env: Environment,
  refreshTokenCookie: boolean,
): readonly string[] {
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

export function readMetrics(env: Environment): MetricsConfig {
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
