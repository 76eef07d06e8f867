import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpInLoop } from '../helpers/account-load.js';
import { honouredProblems } from '../helpers/lineage-accounting.js';
import { type RunningService, startListening, stop } from '../helpers/service-process.js';
import {
  createLoad,
  instanceAt,
  rotateInLoop,
  type SessionClient,
  signUpClient,
} from '../helpers/session-load.js';

// The operator's command line writing to the SQLite file a running server writes to: two
// processes, one database. SQLite lets one writer in at a time; the other must wait its turn
// (busy_timeout) rather than fail with SQLITE_BUSY, and every transaction must be short enough
// for the wait to end well within it.

const ROOT = new URL('../..', import.meta.url).pathname;
const ROTATING_CLIENTS = 8;
/** Each operator command is run this many times, the runs overlapping the load and each other. */
const ROUNDS = 2;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the command line and the server on one SQLite file, under write load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-sqlite-cli-'));
  const file = join(dir, 'auth.db');
  let service: RunningService | undefined;

  beforeAll(async () => {
    service = await startListening({
      DATABASE_URL: `file:${file}`,
      AUTH_ISSUER: 'http://auth.sqlite.test',
      AUTH_AUDIENCE: 'http://auth.sqlite.test',
      RATE_LIMIT_LOGIN_IP: 'off',
      RATE_LIMIT_SIGNUP_IP: 'off',
      RATE_LIMIT_REISSUE_IP: 'off',
    });
  }, 60_000);

  afterAll(async () => {
    if (service) await stop(service.child);
    rmSync(dir, { recursive: true, force: true });
  });

  function runCli(...args: string[]): Promise<CliRun> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: `file:${file}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  }

  it('runs sessions:revoke and keys:rotate while the server writes, and neither fails with SQLITE_BUSY', async () => {
    if (service === undefined) throw new Error('no server');
    const instance = instanceAt('A', service.url);
    const load = createLoad({
      instances: [instance],
      deadline: performance.now() + 120_000,
      requestTimeoutMs: 20_000,
      allowMaskedError: false,
    });
    const clients: SessionClient[] = [];
    for (let n = 0; n < ROTATING_CLIENTS; n++) {
      clients.push(await signUpClient(load, `writer${n}@example.com`));
    }
    const victims: SessionClient[] = [];
    for (let n = 0; n < ROUNDS; n++)
      victims.push(await signUpClient(load, `victim${n}@example.com`));

    const rotations = Promise.all(clients.map((client) => rotateInLoop(load, client, 10_000)));
    const joining = signUpInLoop(load, 'joining', 20);
    const runs: CliRun[] = [];
    for (const victim of victims) {
      runs.push(
        ...(await Promise.all([
          runCli('sessions:revoke', '--user', victim.email),
          runCli('keys:rotate'),
        ])),
      );
    }
    load.deadline = performance.now() + 500;
    await Promise.all([rotations, joining]);
    const writes = load.sent.filter((request) => request.operation !== 'me').length;
    console.info(
      `[reliability] sqlite + cli: ${JSON.stringify({ writes, requests: load.sent.length, cliRuns: runs.length })}`,
    );

    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect(runs.map((run) => run.stdout.split(/[ \n]/)[0]).sort()).toEqual(
      [...Array(ROUNDS).fill('active'), ...victims.map((victim) => `${victim.email}:`)].sort(),
    );
    expect(load.unexpected).toEqual([]);
    expect(service.stdout()).not.toMatch(/SQLITE_BUSY|database is locked/);
    // What the commands did holds: the victims are logged out, the writers are not, and the
    // database has one active key and a retiring one per rotation.
    const problems: string[] = [];
    for (const client of clients) problems.push(...(await honouredProblems(load, client)));
    for (const victim of victims) problems.push(...(await honouredProblems(load, victim, true)));
    expect(problems).toEqual([]);
    expect(keyStates(file)).toEqual({ active: 1, retiring: ROUNDS });
  }, 180_000);
});

function keyStates(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('select status, count(*) as n from signing_keys group by status')
      .all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  } finally {
    db.close();
  }
}
