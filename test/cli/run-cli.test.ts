import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyRing } from '../../src/auth/keys/open-key-ring.js';
import { createArgon2PasswordHasher } from '../../src/auth/passwords/passwords.js';
import type { Store } from '../../src/auth/ports/store.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { silentLogger } from '../../src/logger.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { createTestClock } from '../helpers/clock.js';

// The command line in process, against a database file, as an operator would use it.

const PASSWORD = 'operator chosen passphrase';

let dir: string;
let databasePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-cli-'));
  databasePath = join(dir, 'data', 'auth.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function cli(argv: string[], input: string | null = null): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    commands: COMMANDS,
    io: {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readInput: async () => input,
    },
    clock: createTestClock(),
    passwords: createArgon2PasswordHasher(),
    loadConfig: () => loadConfig({ DATABASE_URL: `file:${databasePath}` }),
    openStore: async (config) =>
      openSqliteStore(config.database.kind === 'sqlite' ? config.database.path : ''),
    openSecretBox: (config) => openSecretBox(config.mfaKeys, silentLogger),
  });
  return { code, out, err };
}

/** Looks at the database the way the service would. */
async function withStore<T>(look: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(databasePath);
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

describe('usage', () => {
  it('prints every command for help, exit 0', async () => {
    const run = await cli(['help']);
    expect(run.code).toBe(0);
    const text = run.out.join('\n');
    for (const name of [
      'migrate',
      'user:create',
      'user:set-roles',
      'sessions:revoke',
      'keys:rotate',
      'keys:list',
      'audit:tail',
    ]) {
      expect(text).toContain(`  ${name}`);
    }
  });

  it.each([
    [[]],
    [['no:such-command']],
    [['user:create']],
    [['user:create', 'a@example.com', 'extra']],
    [['user:create', 'a@example.com', '--root']],
    [['user:set-roles', 'a@example.com', 'USER,OWNER']],
    [['user:set-roles', 'a@example.com']],
    [['sessions:revoke']],
    [['sessions:revoke', '--user']],
    [['keys:list', 'now']],
    [['keys:rotate', '--force']],
    [['audit:tail', '-n', '0']],
    [['audit:tail', '-n', '1000']],
    [['audit:tail', '--type', 'LOGIN_SUCCEEDED,COFFEE']],
    [['migrate', '--force']],
  ])('refuses %j with the usage and exit 2, creating no database', async (argv) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toMatch(/Usage: npm run cli --/);
    expect(run.out).toEqual([]);
    expect(existsSync(databasePath)).toBe(false);
  });

  it('refuses user:create without a password on standard input, creating no database', async () => {
    const run = await cli(['user:create', 'nobody@example.com'], null);
    expect(run.code).toBe(2);
    expect(run.err[0]).toContain('standard input');
    expect(existsSync(databasePath)).toBe(false);
  });
});

describe('migrate', () => {
  it('creates and migrates the database', async () => {
    const run = await cli(['migrate']);
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(await withStore((store) => store.users.list())).toEqual([]);
  });
});

describe('user:create and user:set-roles', () => {
  it('creates a user who can then log in, with ADMIN on --admin, and records it', async () => {
    const run = await cli(['user:create', ' Root@Example.com ', '--admin'], `${PASSWORD}\n`);
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^created [0-9a-f-]{36} root@example.com USER,ADMIN$/);
    const user = await withStore((store) => store.users.findByEmail('root@example.com'));
    expect(user?.roles).toEqual(['USER', 'ADMIN']);
    // The trailing newline was not part of the password.
    expect(await createArgon2PasswordHasher().verify(user?.passwordHash ?? '', PASSWORD)).toBe(
      true,
    );
    const audit = await cli(['audit:tail', '--json']);
    expect(audit.out.map((line) => JSON.parse(line).type)).toEqual(['USER_CREATED']);
  });

  it('refuses a weak password or a taken email with exit 1, writing nothing', async () => {
    const weak = await cli(['user:create', 'weak@example.com'], 'short');
    expect(weak.code).toBe(1);
    expect(weak.err[0]).toMatch(/^password: /);
    expect(existsSync(databasePath)).toBe(false);

    expect((await cli(['user:create', 'taken@example.com'], PASSWORD)).code).toBe(0);
    const taken = await cli(['user:create', 'taken@example.com', '--admin'], 'another passphrase');
    expect(taken.code).toBe(1);
    expect(taken.err[0]).toMatch(/^email: /);
    const users = await withStore((store) => store.users.list());
    expect(users.map((user) => user.roles)).toEqual([['USER']]);
  });

  it('replaces roles by email or id, and says so in the audit log', async () => {
    await cli(['user:create', 'promote@example.com'], PASSWORD);
    const promoted = await cli(['user:set-roles', 'promote@example.com', 'user, admin']);
    expect(promoted.code).toBe(0);
    expect(promoted.out[0]).toBe('promote@example.com: USER,ADMIN');
    const user = await withStore((store) => store.users.findByEmail('promote@example.com'));
    expect(user?.roles).toEqual(['USER', 'ADMIN']);

    expect((await cli(['user:set-roles', user?.id ?? '', 'USER'])).code).toBe(0);
    const after = await withStore((store) => store.users.findByEmail('promote@example.com'));
    expect(after?.roles).toEqual(['USER']);
    const audit = await cli(['audit:tail', '--type', 'ROLES_CHANGED', '--json']);
    expect(audit.out.map((line) => JSON.parse(line).detail)).toEqual([
      'OPERATOR USER,ADMIN',
      'OPERATOR USER',
    ]);
  });

  it('answers exit 1 for an unknown user, writing nothing', async () => {
    await cli(['migrate']);
    const run = await cli(['user:set-roles', 'ghost@example.com', 'ADMIN']);
    expect(run).toMatchObject({ code: 1, err: ['no user ghost@example.com'] });
    expect((await cli(['audit:tail'])).out).toEqual([]);
  });
});

describe('sessions:revoke', () => {
  it('ends every live session of the user and records how many', async () => {
    await cli(['user:create', 'revoke@example.com'], PASSWORD);
    const sessionIds = await withStore(async (store) => {
      const user = await store.users.findByEmail('revoke@example.com');
      const clock = createTestClock();
      const ids = ['s1', 's2'];
      for (const id of ids) {
        await store.sessions.insert({
          id,
          userId: user?.id ?? '',
          currentRefreshJti: `${id}-jti`,
          rotatedAt: clock.now(),
          createdAt: clock.now(),
          lastUsedAt: clock.now(),
          idleExpiresAt: clock.now() + 3_600_000,
          expiresAt: clock.now() + 7_200_000,
          userAgent: null,
          ip: null,
          restrictions: [],
          assuranceLevel: 1,
          authMethods: ['pwd'],
          authTime: clock.now(),
          stepUpDeadline: null,
        });
      }
      return ids;
    });
    const run = await cli(['sessions:revoke', '--user', 'revoke@example.com']);
    expect(run).toMatchObject({ code: 0, out: ['revoke@example.com: 2 sessions revoked'] });
    for (const id of sessionIds) {
      const session = await withStore((store) => store.sessions.findById(id));
      expect(session?.revokedReason).toBe('revoked_by_admin');
    }
    const audit = await cli(['audit:tail', '--type', 'SESSION_REVOKED', '--json']);
    expect(JSON.parse(audit.out[0] ?? '{}')).toMatchObject({
      detail: 'OPERATOR',
      revokedSessions: 2,
    });
  });
});

describe('keys:list and keys:rotate', () => {
  it('list the key the service created, rotate it, and list both', async () => {
    const config = loadConfig({ DATABASE_URL: `file:${databasePath}` });
    const first = await withStore(async (store) => {
      const ring = await openKeyRing(config, store.signingKeys, createTestClock());
      return (await ring.signingKey()).kid;
    });
    const before = await cli(['keys:list']);
    expect(before).toMatchObject({ code: 0, err: [] });
    expect(before.out).toEqual([`${first}  EdDSA  active    created 2026-01-01T00:00:00.000Z`]);

    const rotated = await cli(['keys:rotate']);
    expect(rotated.code).toBe(0);
    const next = /^active {4}(\S+) \(EdDSA\)$/.exec(rotated.out[0] ?? '')?.[1];
    expect(next).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.out[1]).toMatch(new RegExp(`^retiring  ${first} \\(verifies until `));

    // Both keys were made at the same (test) instant, so their order is not asserted.
    const after = (await cli(['keys:list'])).out.join('\n');
    expect(after).toMatch(new RegExp(`^${next}  EdDSA  active `, 'm'));
    expect(after).toMatch(new RegExp(`^${first}  EdDSA  retiring  .*verifies until `, 'm'));
  });
});

describe('audit:tail', () => {
  it('prints the latest events oldest first, filtered by user, in text or JSON', async () => {
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com']) {
      await cli(['user:create', email], PASSWORD);
    }
    const lastTwo = await cli(['audit:tail', '-n', '2', '--json']);
    const two = await withStore((store) => store.users.findByEmail('two@example.com'));
    const three = await withStore((store) => store.users.findByEmail('three@example.com'));
    expect(lastTwo.out.map((line) => JSON.parse(line).userId)).toEqual([two?.id, three?.id]);

    const forTwo = await cli(['audit:tail', '--user', 'two@example.com']);
    expect(forTwo.out).toHaveLength(1);
    expect(forTwo.out[0]).toMatch(
      new RegExp(
        `^2026-01-01T00:00:00.000Z  USER_CREATED +user=${two?.id}  session=-  ip=-  detail="OPERATOR USER"$`,
      ),
    );
    expect((await cli(['audit:tail', '--user', 'nobody@example.com'])).code).toBe(1);
  });
});
