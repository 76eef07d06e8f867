import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real entry point as a process: arguments, environment, piped standard input, exit codes.

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'auth-cli-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runProcess(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `file:${join(dir, 'auth.db')}`,
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('src/cli/main.ts', () => {
  it('creates an admin from a password piped on standard input, exit 0', async () => {
    const run = await runProcess(['user:create', 'ops@example.com', '--admin'], {
      input: 'a long operator passphrase\n',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^created \S+ ops@example.com USER,ADMIN\n$/);
  });

  it('prints the usage and exits 2 without a command', async () => {
    const run = await runProcess([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: npm run cli -- <command> [arguments]');
  });

  it('names an invalid variable and exits 1', async () => {
    const run = await runProcess(['keys:list'], { env: { ACCESS_TOKEN_TTL: 'forever' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Invalid ACCESS_TOKEN_TTL="forever"');
  });
});
