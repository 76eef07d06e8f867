import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';
import { quoteIdentifier, runOnServer, urlForDatabase } from './postgres.js';

// A PostgreSQL cluster of the test's own, made with the machine's initdb and pg_ctl on a
// temporary folder and a free port, so that the test may restart it without disturbing the
// server other tests share. Both programs refuse to run as root: as root (CI) they run as the
// `postgres` user through runuser, on a folder that user owns.

const run = promisify(execFile);

/** The programs a suite using this helper needs on PATH. */
export const POSTGRES_PROGRAMS = ['initdb', 'pg_ctl'] as const;

export interface ThrowawayPostgres {
  readonly port: number;
  /** The maintenance database `postgres`, as the superuser `postgres` (trust authentication). */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is ended, then the server starts again. */
  restart(): Promise<void>;
  /** What the server logged, for a failure message. */
  log(): string;
  /** Stops the server at once and deletes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

const SETTINGS = [
  "listen_addresses = '127.0.0.1'",
  // Durability against a machine crash is not what these tests look at; a clean shutdown
  // (pg_ctl restart -m fast) still writes everything.
  'fsync = off',
  'max_connections = 60',
  'shared_buffers = 16MB',
];

/** initdb on a fresh folder, then pg_ctl start; the folder is deleted if either fails. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const folder = mkdtempSync(join(tmpdir(), 'auth-test-pg-'));
  const data = join(folder, 'data');
  const logFile = join(folder, 'server.log');
  const owner = postgresOwner();
  if (owner !== null) chownSync(folder, owner.uid, owner.gid);
  const asOwner = (program: string, args: string[]) =>
    owner === null
      ? run(program, args, { cwd: folder, timeout: 60_000 })
      : run('runuser', ['-u', 'postgres', '--', program, ...args], {
          cwd: folder,
          timeout: 60_000,
        });
  const port = await freePort();
  // -l: without a log file the server inherits pg_ctl's output and keeps the caller's pipe open.
  const pgCtl = (...args: string[]) => asOwner('pg_ctl', ['-D', data, '-l', logFile, ...args]);
  let started = false;

  async function destroy(): Promise<void> {
    if (started) {
      started = false;
      await asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {
        // Already stopped: the folder goes either way.
      });
    }
    rmSync(folder, { recursive: true, force: true });
  }

  try {
    await asOwner('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8']);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [`port = ${port}`, `unix_socket_directories = '${folder}'`, ...SETTINGS, ''].join('\n'),
    );
    started = true;
    await pgCtl('-w', '-t', '30', 'start');
  } catch (error) {
    await destroy();
    throw error;
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    port,
    url,
    async createDatabase(name) {
      await runOnServer(url, `create database ${quoteIdentifier(name)}`);
      return urlForDatabase(url, name);
    },
    async restart() {
      await pgCtl('-w', '-t', '30', '-m', 'fast', 'restart');
    },
    log: () => readFileSync(logFile, 'utf8'),
    destroy,
  };
}

/** The `postgres` user's ids when running as root, or null: then the programs run as we do. */
function postgresOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'postgres');
  if (entry === undefined) throw new Error('running as root, but there is no postgres user');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * A throwaway cluster for the enclosing suite: started before its tests, destroyed after them.
 * Returns the accessor its tests call, which throws if the cluster is not running.
 */
export function useThrowawayPostgres(): () => ThrowawayPostgres {
  let postgres: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.destroy();
  });
  return () => {
    if (postgres === undefined) throw new Error('no throwaway PostgreSQL running');
    return postgres;
  };
}
