import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

// `npm run keys:rotate` / `keys:list` (the command line's keys commands) as real processes against the database file a running
// service uses: the service must pick the rotation up by itself and fail no request.

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
const DATABASE_URL = `file:${join(dir, 'auth.db')}`;
const apps: TestApp[] = [];

afterAll(async () => {
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

function keysCommand(command: string, env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', `keys:${command}`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL, ...env },
  });
}

describe('the keys commands', () => {
  it('rotate the key of a running service, which keeps accepting old and new tokens', async () => {
    const running = await createTestApp(
      { DATABASE_URL },
      { keyRing: { unknownKidReloadIntervalMs: 0 } },
    );
    apps.push(running);
    const before = await running.signUp();
    const oldKid = (await running.deps.keys.signingKey()).kid;

    const rotated = await keysCommand('rotate');
    const activeKid = /^active\s+(\S+) \(EdDSA\)$/m.exec(rotated.stdout)?.[1];
    expect(activeKid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.stdout).toMatch(new RegExp(`^retiring\\s+${oldKid} \\(verifies until `, 'm'));

    // Another instance started after the rotation signs with the new key at once...
    const fresh = await createTestApp({ DATABASE_URL });
    apps.push(fresh);
    const after = await fresh.signUp();
    expect((await fresh.deps.keys.signingKey()).kid).toBe(activeKid);

    // ...and the running instance accepts its tokens (reload on the unknown kid) and its own
    // old ones (retiring key), without any restart.
    expect(
      (await running.graphql('{ me { id } }', { token: after.accessToken })).errors,
    ).toBeUndefined();
    expect(
      (await running.graphql('{ me { id } }', { token: before.accessToken })).errors,
    ).toBeUndefined();

    const listed = await keysCommand('list');
    expect(listed.stdout).toMatch(new RegExp(`^${activeKid}\\s+EdDSA\\s+active`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${oldKid}\\s+EdDSA\\s+retiring`, 'm'));
  });

  it('refuses to rotate supplied keys and explains how', async () => {
    const failed = await keysCommand('rotate', { AUTH_SIGNING_KEYS: '{"keys":[]}' }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/come from AUTH_SIGNING_KEYS/);
  });

  it('rejects an unknown command with usage', async () => {
    const failed = await keysCommand('shred').catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/Unknown command "keys:shred"/);
    expect((failed as { stderr: string }).stderr).toMatch(/^ {2}keys:rotate$/m);
  });
});
