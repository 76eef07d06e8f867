import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/auth/ports/store.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { runCliInProcess } from '../helpers/cli.js';

// Issue 13: the account lifecycle from the command line, each an audited operator action.

const PASSWORD = 'operator chosen passphrase';

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-cli-accounts-'));
  env = { DATABASE_URL: `file:${join(dir, 'auth.db')}` };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(argv: string[], input: string | null = null) {
  return runCliInProcess(argv, env, { input });
}

async function withStore<T>(look: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(join(dir, 'auth.db'));
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

async function auditTypes(store: Store): Promise<string[]> {
  const page = await store.auditEvents.list({}, 50);
  return page.map((event) => `${event.type} ${event.detail ?? ''}`.trim()).reverse();
}

describe('user lifecycle commands', () => {
  it('user:create --verified creates a verified account; without it, unverified', async () => {
    expect((await cli(['user:create', 'v@example.com', '--verified'], PASSWORD)).out[0]).toMatch(
      /^created \S+ v@example.com USER \(verified\)$/,
    );
    await cli(['user:create', 'u@example.com'], PASSWORD);
    await withStore(async (store) => {
      expect((await store.users.findByEmail('v@example.com'))?.emailVerified).toBe(true);
      expect((await store.users.findByEmail('u@example.com'))?.emailVerified).toBe(false);
    });
  });

  it('user:verify-email verifies once, audited as the operator', async () => {
    await cli(['user:create', 'u@example.com'], PASSWORD);
    expect(await cli(['user:verify-email', 'u@example.com'])).toMatchObject({
      code: 0,
      out: ['u@example.com: verified'],
    });
    expect((await cli(['user:verify-email', 'u@example.com'])).out).toEqual([
      'u@example.com: was verified already',
    ]);
    await withStore(async (store) => {
      expect((await store.users.findByEmail('u@example.com'))?.emailVerified).toBe(true);
      expect(await auditTypes(store)).toContain('EMAIL_VERIFIED OPERATOR');
    });
  });

  it('user:send-reset queues a reset mail (no body yet: the sender issues the link)', async () => {
    await cli(['user:create', 'u@example.com'], PASSWORD);
    expect(await cli(['user:send-reset', 'u@example.com'])).toMatchObject({
      code: 0,
      out: ['u@example.com: reset mail queued'],
    });
    await withStore(async (store) => {
      const [pending] = await store.outbox.list(['pending'], 10);
      expect(pending).toMatchObject({ kind: 'reset_password', recipient: 'u@example.com' });
      expect(await auditTypes(store)).toContain('PASSWORD_RESET_REQUESTED OPERATOR');
    });
  });

  it('user:disable ends the sessions and refuses a reset; user:enable undoes it', async () => {
    await cli(['user:create', 'u@example.com'], PASSWORD);
    expect((await cli(['user:disable', 'u@example.com'])).out).toEqual(['u@example.com: disabled']);
    expect((await cli(['user:disable', 'u@example.com'])).out).toEqual([
      'u@example.com: was disabled already',
    ]);
    const refused = await cli(['user:send-reset', 'u@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toContain('disabled');
    expect((await cli(['user:enable', 'u@example.com'])).out).toEqual(['u@example.com: enabled']);
    await withStore(async (store) => {
      expect((await store.users.findByEmail('u@example.com'))?.disabledAt).toBeNull();
      const types = await auditTypes(store);
      expect(types).toContain('USER_DISABLED OPERATOR');
      expect(types).toContain('USER_ENABLED OPERATOR');
    });
  });

  it('user:delete needs --yes, removes the account, and the audit log keeps its id', async () => {
    await cli(['user:create', 'u@example.com'], PASSWORD);
    const id = await withStore(
      async (store) => (await store.users.findByEmail('u@example.com'))?.id,
    );
    const unconfirmed = await cli(['user:delete', 'u@example.com']);
    expect(unconfirmed.code).toBe(2);
    expect(await cli(['user:delete', 'u@example.com', '--yes'])).toMatchObject({
      code: 0,
      out: ['u@example.com: deleted (0 sessions ended)'],
    });
    expect((await cli(['user:delete', 'u@example.com', '--yes'])).code).toBe(1);
    await withStore(async (store) => {
      expect(await store.users.findByEmail('u@example.com')).toBeNull();
      const [deleted] = await store.auditEvents.list({ types: ['USER_DELETED'] }, 5);
      expect(deleted).toMatchObject({ userId: id, detail: 'OPERATOR' });
    });
    // The address can be used again.
    expect((await cli(['user:create', 'u@example.com'], PASSWORD)).code).toBe(0);
  });

  it('names an unknown user and exits 1', async () => {
    for (const command of ['user:verify-email', 'user:disable', 'user:enable', 'user:send-reset']) {
      expect(await cli([command, 'nobody@example.com'])).toMatchObject({
        code: 1,
        err: ['no user nobody@example.com'],
      });
    }
  });
});
