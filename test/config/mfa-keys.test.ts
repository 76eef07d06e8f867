import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config/database.js';
import { ConfigError, type Environment } from '../../src/config/environment.js';
import { type MfaKeysConfig, readMfaKeys } from '../../src/config/mfa-keys.js';

const SQLITE_FILE: DatabaseConfig = { kind: 'sqlite', path: './data/auth.db', description: '' };
const SQLITE_MEMORY: DatabaseConfig = { kind: 'sqlite', path: ':memory:', description: '' };
const POSTGRES: DatabaseConfig = {
  kind: 'postgres',
  url: 'postgres://auth@db:5432/auth',
  poolSize: 10,
  queryTimeoutMs: 5000,
  description: '',
};

const KEY_1 = randomBytes(32);
const KEY_2 = randomBytes(32);
const RING = `k2:${KEY_2.toString('base64')},k1:${KEY_1.toString('base64')}`;

const dir = mkdtempSync(join(tmpdir(), 'auth-mfa-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusal(
  env: Environment,
  database: DatabaseConfig = SQLITE_FILE,
  isProduction = false,
): ConfigError {
  try {
    readMfaKeys(env, database, isProduction);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function suppliedKeys(config: MfaKeysConfig) {
  if (config.kind !== 'supplied') throw new Error(`expected supplied keys, got ${config.kind}`);
  return config.keys.map(({ id, key }) => ({ id, key: Buffer.from(key).toString('hex') }));
}

const EXPECTED_RING = [
  { id: 'k2', key: KEY_2.toString('hex') },
  { id: 'k1', key: KEY_1.toString('hex') },
];

describe('readMfaKeys', () => {
  it('reads MFA_ENCRYPTION_KEYS: the ring in order, on any database, in production too', () => {
    for (const database of [SQLITE_FILE, SQLITE_MEMORY, POSTGRES]) {
      for (const isProduction of [false, true]) {
        const config = readMfaKeys({ MFA_ENCRYPTION_KEYS: RING }, database, isProduction);
        expect(config).toMatchObject({ kind: 'supplied', variable: 'MFA_ENCRYPTION_KEYS' });
        expect(suppliedKeys(config)).toEqual(EXPECTED_RING);
      }
    }
  });

  it('accepts URL-safe base64, unpadded keys and spaces around the entries', () => {
    const ring = ` k2 : ${KEY_2.toString('base64url')} ,\n k1:${KEY_1.toString('base64').replace(/=$/, '')} `;
    expect(suppliedKeys(readMfaKeys({ MFA_ENCRYPTION_KEYS: ring }, POSTGRES, true))).toEqual(
      EXPECTED_RING,
    );
  });

  it('reads the file MFA_ENCRYPTION_KEYS_FILE names, trimmed', () => {
    const path = fileWith('ring', `\n${RING}\n\n`);
    const config = readMfaKeys({ MFA_ENCRYPTION_KEYS_FILE: path }, POSTGRES, true);
    expect(config).toMatchObject({ kind: 'supplied', variable: 'MFA_ENCRYPTION_KEYS_FILE' });
    expect(suppliedKeys(config)).toEqual(EXPECTED_RING);
  });

  it('refuses both variables at once', () => {
    const path = fileWith('both', RING);
    const error = refusal({ MFA_ENCRYPTION_KEYS: RING, MFA_ENCRYPTION_KEYS_FILE: path });
    expect(error.variable).toBe('MFA_ENCRYPTION_KEYS_FILE');
    expect(error.message).toMatch(/either MFA_ENCRYPTION_KEYS or MFA_ENCRYPTION_KEYS_FILE/);
  });

  it('refuses a missing or empty key file', () => {
    const missing = refusal({ MFA_ENCRYPTION_KEYS_FILE: join(dir, 'absent') });
    expect(missing.variable).toBe('MFA_ENCRYPTION_KEYS_FILE');
    expect(missing.message).toMatch(/readable file.*ENOENT/);
    const empty = refusal({ MFA_ENCRYPTION_KEYS_FILE: fileWith('empty', ' \n') });
    expect(empty.variable).toBe('MFA_ENCRYPTION_KEYS_FILE');
    expect(empty.message).toMatch(/the file is empty.*openssl rand -base64 32/);
  });

  it('names the variable and the bad entry, never the key material', () => {
    const key = KEY_1.toString('base64');
    const short = randomBytes(16).toString('base64');
    const cases: { value: string; message: RegExp }[] = [
      { value: key, message: /entry 1 has no id:key colon/ },
      { value: `k1:${key},${key}`, message: /entry 2 has no id:key colon/ },
      { value: `k1:${key},`, message: /entry 2 has no id:key colon/ },
      { value: `k.1:${key}`, message: /entry 1 has a malformed id/ },
      { value: `:${key}`, message: /entry 1 has a malformed id/ },
      { value: `${'k'.repeat(33)}:${key}`, message: /entry 1 has a malformed id/ },
      { value: `k1:${key},k1:${KEY_2.toString('base64')}`, message: /entry 2 repeats the id k1/ },
      { value: `k1:${short}`, message: /the key of k1 is 16 bytes, not 32/ },
      { value: `k1:${key}!`, message: /the key of k1 is not base64/ },
      { value: 'k1:', message: /the key of k1 is not base64/ },
    ];
    for (const { value, message } of cases) {
      const error = refusal({ MFA_ENCRYPTION_KEYS: value }, POSTGRES, true);
      expect(error.variable).toBe('MFA_ENCRYPTION_KEYS');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/openssl rand -base64 32/);
      expect(error.message).not.toContain(key);
      expect(error.message).not.toContain(short);
    }
    const inFile = refusal({ MFA_ENCRYPTION_KEYS_FILE: fileWith('bad', `k1:${short}`) });
    expect(inFile.variable).toBe('MFA_ENCRYPTION_KEYS_FILE');
    expect(inFile.message).toMatch(/16 bytes, not 32; in .*bad:/);
    expect(inFile.message).not.toContain(short);
  });

  it('refuses to start without keys in production, whatever the database', () => {
    for (const database of [SQLITE_FILE, SQLITE_MEMORY, POSTGRES]) {
      const error = refusal({}, database, true);
      expect(error.variable).toBe('MFA_ENCRYPTION_KEYS');
      expect(error.message).toMatch(/required when NODE_ENV=production/);
      expect(error.message).toMatch(/k1:\$\(openssl rand -base64 32\)/);
    }
  });

  it('refuses to start without keys on PostgreSQL, where instances must share them', () => {
    const error = refusal({}, POSTGRES, false);
    expect(error.variable).toBe('MFA_ENCRYPTION_KEYS');
    expect(error.message).toMatch(/required with a PostgreSQL DATABASE_URL/);
  });

  it('outside production, generates a key beside an SQLite file, or keeps one in memory', () => {
    expect(readMfaKeys({}, SQLITE_FILE, false)).toEqual({
      kind: 'generated',
      path: './data/auth.db.mfa-key',
    });
    expect(readMfaKeys({ MFA_ENCRYPTION_KEYS: '  ' }, SQLITE_MEMORY, false)).toEqual({
      kind: 'memory',
    });
  });
});
