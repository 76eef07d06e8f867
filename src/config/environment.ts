import { parseDurationMilliseconds, parseDurationSeconds } from '../duration.js';

// The primitives every part of the configuration reads with. Only the config module uses them.

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

/** The URL with its password, if any, replaced by `***`: for errors and logs. */
export function maskPassword(url: URL): string {
  if (url.password === '') return url.href;
  const masked = new URL(url.href);
  masked.password = '***';
  return masked.href;
}

const DURATION_ACCEPTS =
  'expected whole seconds (900) or a number with s, m, h or d (30s, 15m, 12h, 14d)';

export function readOptional(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function readDuration(
  env: Environment,
  name: string,
  fallback: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  const raw = readOptional(env, name) ?? fallback;
  const seconds = parseDurationSeconds(raw);
  if (seconds === null || seconds < min || seconds > max) {
    const floor = min > 0 ? `, at least ${min}s` : '';
    const ceiling = Number.isFinite(max) ? `, at most ${max}s` : '';
    throw new ConfigError(name, `${DURATION_ACCEPTS}${floor}${ceiling}`, raw);
  }
  return seconds;
}

/** A timeout with a unit (`500ms`, `5s`, `1m`), in milliseconds from `minMs` to `maxMs`. */
export function readMilliseconds(
  env: Environment,
  name: string,
  fallback: string,
  minMs: number,
  maxMs: number,
): number {
  const raw = readOptional(env, name) ?? fallback;
  const milliseconds = parseDurationMilliseconds(raw);
  if (milliseconds === null || milliseconds < minMs || milliseconds > maxMs) {
    throw new ConfigError(
      name,
      `expected a number with ms, s or m (500ms, 5s, 1m), from ${formatMilliseconds(minMs)} to ${formatMilliseconds(maxMs)}`,
      raw,
    );
  }
  return milliseconds;
}

function formatMilliseconds(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function readInteger(
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

export function readBoolean(env: Environment, name: string): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, 'expected true or false', raw);
}
