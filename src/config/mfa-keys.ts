import { readFileSync } from 'node:fs';
import {
  SECRET_KEY_BYTES,
  SECRET_KEY_ID_PATTERN,
  type SecretKey,
} from '../auth/factors/secret-box.js';
import { failure, type Result, success } from '../result.js';
import type { DatabaseConfig } from './database.js';
import { ConfigError, type Environment, readOptional } from './environment.js';

export type MfaKeysVariable = 'MFA_ENCRYPTION_KEYS' | 'MFA_ENCRYPTION_KEYS_FILE';

/**
 * The key ring that seals TOTP secrets at rest:
 * - `supplied`: the operator's keys, the first sealing, every one opening;
 * - `generated`: none supplied, outside production on an SQLite file: one key kept in the file
 *   at `path`, beside the database, created at the first start;
 * - `memory`: none supplied on `:memory:`: a key that lives and dies with the database.
 */
export type MfaKeysConfig =
  | {
      readonly kind: 'supplied';
      readonly variable: MfaKeysVariable;
      readonly keys: readonly SecretKey[];
    }
  | { readonly kind: 'generated'; readonly path: string }
  | { readonly kind: 'memory' }
  /**
   * The command line only: no usable key ring is configured. Commands that never touch a TOTP
   * secret run all the same; opening the secret box throws `error`.
   */
  | { readonly kind: 'unavailable'; readonly error: ConfigError };

/** What the key file beside an SQLite database is called: `<database file>.mfa-key`. */
export function generatedMfaKeyPath(databasePath: string): string {
  return `${databasePath}.mfa-key`;
}

const FORMAT =
  'expected comma-separated id:base64 pairs, the sealing key first, each key 32 random bytes ' +
  '(ids of 1 to 32 of A-Z a-z 0-9 _ -), for example k1:$(openssl rand -base64 32)';

/**
 * Reads MFA_ENCRYPTION_KEYS or the file named by MFA_ENCRYPTION_KEYS_FILE. Without either, a
 * key is generated only where no other process could need it: production and PostgreSQL
 * refuse, because instances sharing a database must share the key that reads its secrets.
 *
 * @throws ConfigError naming the variable and how to fix it; never showing key material.
 */
/**
 * The server refuses to start without a usable key ring; the command line defers the error to
 * the commands that open the secret box, so `keys:list` on PostgreSQL needs no MFA key.
 */
export function readMfaKeysFor(
  use: 'server' | 'cli',
  env: Environment,
  database: DatabaseConfig,
  isProduction: boolean,
): MfaKeysConfig {
  try {
    return readMfaKeys(env, database, isProduction);
  } catch (error) {
    if (use === 'cli' && error instanceof ConfigError) return { kind: 'unavailable', error };
    throw error;
  }
}

export function readMfaKeys(
  env: Environment,
  database: DatabaseConfig,
  isProduction: boolean,
): MfaKeysConfig {
  const inline = readOptional(env, 'MFA_ENCRYPTION_KEYS');
  const file = readOptional(env, 'MFA_ENCRYPTION_KEYS_FILE');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(
      'MFA_ENCRYPTION_KEYS_FILE',
      'set either MFA_ENCRYPTION_KEYS or MFA_ENCRYPTION_KEYS_FILE, not both',
      file,
    );
  }
  if (inline !== undefined) return supplied('MFA_ENCRYPTION_KEYS', inline, FORMAT);
  if (file !== undefined) {
    return supplied('MFA_ENCRYPTION_KEYS_FILE', readKeyFile(file), `in ${file}: ${FORMAT}`);
  }

  if (isProduction) throw requiredError(PRODUCTION_REASON);
  if (database.kind === 'postgres') throw requiredError(POSTGRES_REASON);
  if (database.path === ':memory:') return { kind: 'memory' };
  return { kind: 'generated', path: generatedMfaKeyPath(database.path) };
}

const PRODUCTION_REASON =
  'required when NODE_ENV=production, so that every instance holds the same key and a copy of ' +
  'the database alone reveals no TOTP secret';
const POSTGRES_REASON =
  'required with a PostgreSQL DATABASE_URL: every instance sharing the database must hold the ' +
  'same key to read the TOTP secrets the others sealed';

function requiredError(reason: string): ConfigError {
  return new ConfigError('MFA_ENCRYPTION_KEYS', `${reason}; ${FORMAT}`, '');
}

function supplied(variable: MfaKeysVariable, text: string, format: string): MfaKeysConfig {
  const parsed = parseSecretKeyList(text);
  if (!parsed.ok)
    throw new ConfigError(variable, `${parsed.failure.problem}; ${format}`, parsed.failure.shown);
  return Object.freeze({ kind: 'supplied', variable, keys: Object.freeze(parsed.value) });
}

function readKeyFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(
      'MFA_ENCRYPTION_KEYS_FILE',
      `expected a readable file holding the key ring (${reason})`,
      file,
    );
  }
  if (text === '') {
    throw new ConfigError('MFA_ENCRYPTION_KEYS_FILE', `the file is empty; ${FORMAT}`, file);
  }
  return text;
}

/** Why a key list cannot be used, and what of it may be shown: the entry's id, never its key. */
export interface KeyListProblem {
  readonly problem: string;
  readonly shown: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses `id:base64,id:base64`: the format of MFA_ENCRYPTION_KEYS and of the generated key file.
 * Standard and URL-safe base64 are both accepted (`openssl rand -base64 32` gives the former).
 */
export function parseSecretKeyList(text: string): Result<SecretKey[], KeyListProblem> {
  const keys: SecretKey[] = [];
  for (const [index, rawEntry] of text.split(',').entries()) {
    const entry = rawEntry.trim();
    const position = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      return failure({ problem: `${position} has no id:key colon`, shown: `${position}: ***` });
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    const shown = `${SECRET_KEY_ID_PATTERN.test(id) ? id : position}:***`;
    if (!SECRET_KEY_ID_PATTERN.test(id)) {
      return failure({ problem: `${position} has a malformed id`, shown });
    }
    if (keys.some((key) => key.id === id)) {
      return failure({ problem: `${position} repeats the id ${id}`, shown });
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : null;
    if (key === null) return failure({ problem: `the key of ${id} is not base64`, shown });
    if (key.length !== SECRET_KEY_BYTES) {
      return failure({
        problem: `the key of ${id} is ${key.length} bytes, not ${SECRET_KEY_BYTES}`,
        shown,
      });
    }
    keys.push({ id, key: new Uint8Array(key) });
  }
  return success(keys);
}
