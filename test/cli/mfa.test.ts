import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/auth/factors/secret-box.js';
import type { FactorStore } from '../../src/auth/ports/factor-store.js';
import type { SecretBox } from '../../src/auth/ports/secret-box.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { runCli } from '../../src/cli/run-cli.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { silentLogger } from '../../src/logger.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { createTestClock } from '../helpers/clock.js';
import { PLAIN_PASSWORD_HASHER } from '../helpers/plain-password-hasher.js';

// `mfa:rotate-key` through the command line's wiring: the key ring from the environment, as
// the service reads it. The databases' factor stores land separately: until then the two
// methods the rotation uses run over a map, on an otherwise real store.

const K1 = { id: 'k1', key: randomBytes(32) };
const K2 = { id: 'k2', key: randomBytes(32) };

function ringOf(...keys: { id: string; key: Buffer }[]): string {
  return keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Whether the last run opened the store. */
let storeOpened = false;

async function rotate(argv: string[], env: Environment, rows: Map<string, string>): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  storeOpened = false;
  const code = await runCli(argv, {
    commands: COMMANDS,
    io: {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readInput: async () => null,
    },
    clock: createTestClock(),
    passwords: PLAIN_PASSWORD_HASHER,
    loadConfig: () => loadConfig(env, 'cli'),
    async openStore() {
      storeOpened = true;
      const store = openSqliteStore(':memory:');
      const secrets: Pick<FactorStore, 'listSealedSecrets' | 'replaceSealedSecret'> = {
        async listSealedSecrets() {
          return [...rows].map(([factorId, sealedSecret]) => ({ factorId, sealedSecret }));
        },
        async replaceSealedSecret(factorId, expected, next) {
          if (rows.get(factorId) !== expected) return false;
          rows.set(factorId, next);
          return true;
        },
      };
      return { ...store, factors: { ...store.factors, ...secrets } };
    },
    openSecretBox: (config) => openSecretBox(config.mfaKeys, silentLogger),
  });
  return { code, out, err };
}

function sealedWith(box: SecretBox, ...factorIds: string[]): Map<string, string> {
  return new Map(factorIds.map((id) => [id, box.seal(`SECRET-OF-${id}`, id)]));
}

const POSTGRES_ENV = { DATABASE_URL: 'postgres://auth@db.invalid:5432/auth' };

describe('mfa:rotate-key', () => {
  it('re-seals every secret with the first key of MFA_ENCRYPTION_KEYS', async () => {
    const rows = sealedWith(createSecretBox([K1]), 'f1', 'f2');
    const run = await rotate(
      ['mfa:rotate-key'],
      { ...POSTGRES_ENV, MFA_ENCRYPTION_KEYS: ringOf(K2, K1) },
      rows,
    );
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out).toEqual([
      'resealed           2',
      'already current    0',
      'changed meanwhile  0',
      'unreadable         0',
    ]);
    const newOnly = createSecretBox([K2]);
    for (const [id, sealed] of rows) expect(newOnly.open(sealed, id)).toBe(`SECRET-OF-${id}`);
  });

  it('exits 1 naming the factors no key opens, never their secrets', async () => {
    const rows = sealedWith(createSecretBox([K1]), 'f1', 'f2');
    const lost = sealedWith(createSecretBox([{ id: 'k0', key: randomBytes(32) }]), 'f3');
    for (const [id, sealed] of lost) rows.set(id, sealed);
    const run = await rotate(
      ['mfa:rotate-key'],
      { ...POSTGRES_ENV, MFA_ENCRYPTION_KEYS: ringOf(K2, K1) },
      rows,
    );
    expect(run.code).toBe(1);
    expect(run.out).toContain('resealed           2');
    expect(run.out).toContain('unreadable         1');
    expect(run.err[0]).toBe('unreadable  factor f3');
    expect(run.err[1]).toMatch(/do not drop a key from MFA_ENCRYPTION_KEYS/);
    expect([...run.out, ...run.err].join('\n')).not.toContain('SECRET-OF');
    expect(rows.get('f3')).toBe(lost.get('f3'));
  });

  it('refuses without a key ring where one is required, before opening the database', async () => {
    const error = await rotate(['mfa:rotate-key'], POSTGRES_ENV, new Map()).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'ConfigError', variable: 'MFA_ENCRYPTION_KEYS' });
    expect(storeOpened).toBe(false);
  });

  it('refuses arguments with the usage and exit 2, opening nothing', async () => {
    const run = await rotate(['mfa:rotate-key', '--all'], POSTGRES_ENV, new Map());
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/Usage: npm run cli -- mfa:rotate-key/);
    expect(storeOpened).toBe(false);
  });
});
