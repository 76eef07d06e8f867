import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, post, startListening, startMain, stop } from './helpers/service-process.js';

// The real entry point in a real process: configuration from the environment, the database
// folder created, migrations run, a socket, and a clean exit on SIGTERM.

const dir = mkdtempSync(join(tmpdir(), 'auth-main-'));
const databasePath = join(dir, 'nested', 'auth.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each test starts one or two real processes under tsx (each with an Argon2 worker compiled on
// the fly); on a loaded two-core machine that alone can take longer than the default 20 s.
describe('main', { timeout: 60_000 }, () => {
  let accessToken = '';

  it('creates the database folder, migrates, serves, and exits 0 on SIGTERM', async () => {
    const { child, url } = await startListening({ DATABASE_URL: `file:${databasePath}` });
    expect(existsSync(databasePath)).toBe(true);
    const signUp = await post(
      url,
      'mutation { signUp(input: { email: "main@example.com", password: "password123" }) { accessToken } }',
    );
    accessToken = (signUp.data as { signUp: { accessToken: string } }).signUp.accessToken;
    expect(await post(url, '{ me { email } }', accessToken)).toEqual({
      data: { me: { email: 'main@example.com' } },
    });
    expect(await stop(child)).toBe(0);
  });

  it('on SIGTERM logs stopping and stopped, and closes the store (SQLite removes its WAL file)', async () => {
    const { child, url } = await startListening({ DATABASE_URL: `file:${databasePath}` });
    const stdout = collect(child.stdout);
    expect(await post(url, '{ me { email } }', accessToken)).toEqual({
      data: { me: { email: 'main@example.com' } },
    });
    expect(existsSync(`${databasePath}-wal`)).toBe(true);
    expect(await stop(child)).toBe(0);
    const lines = stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg)).toEqual(['request', 'stopping', 'stopped']);
    expect(lines[2]).toMatchObject({ forced: false });
    // Only a clean close of the last connection checkpoints and deletes the write-ahead log.
    expect(existsSync(`${databasePath}-wal`)).toBe(false);
  });

  it('keeps its signing key across restarts, so issued tokens stay valid', async () => {
    const { child, url } = await startListening({ DATABASE_URL: `file:${databasePath}` });
    expect(await post(url, '{ me { email } }', accessToken)).toEqual({
      data: { me: { email: 'main@example.com' } },
    });
    expect(await stop(child)).toBe(0);
  });

  it('exits 1 with one log line when the port is taken', async () => {
    const first = await startListening({ DATABASE_URL: `file:${databasePath}` });
    const port = new URL(first.url).port;
    const second = startMain({ DATABASE_URL: `file:${databasePath}`, PORT: port });
    const stdout = collect(second.stdout);
    const [code] = await once(second, 'exit');
    expect(code).toBe(1);
    expect(stdout()).toContain('"msg":"cannot listen"');
    expect(stdout()).toContain('EADDRINUSE');
    expect(await stop(first.child)).toBe(0);
  });

  it('names, in one warning, the allowed origins passkeys will not work from, and the RP ID to set', async () => {
    const { child, stdout } = await startListening({
      DATABASE_URL: `file:${databasePath}`,
      AUTH_ISSUER: 'https://auth.example.com',
      ALLOWED_ORIGINS: 'https://app.example.com,https://auth.example.com',
    });
    expect(await stop(child)).toBe(0);
    const warnings = stdout()
      .split('\n')
      .filter((line) => line.includes('passkeys will not work'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
      level: 'warn',
      rpId: 'auth.example.com',
      omittedOrigins: ['https://app.example.com'],
      fix: 'set WEBAUTHN_RP_ID=example.com',
    });
  });

  it('refuses an explicit RP ID that an explicit origin is not under, naming both', async () => {
    const child = startMain({
      DATABASE_URL: `file:${databasePath}`,
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://app.example.org',
    });
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr()).toContain('WEBAUTHN_ORIGINS');
    expect(stderr()).toContain('https://app.example.org');
    expect(stderr()).toContain('example.com');
  });

  it('refuses to start on an invalid variable, naming it', async () => {
    const child = startMain({ DATABASE_URL: `file:${databasePath}`, ACCESS_TOKEN_TTL: 'forever' });
    const stderr = collect(child.stderr);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr()).toContain('Invalid ACCESS_TOKEN_TTL="forever"');
  });
});
