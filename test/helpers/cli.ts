import { createArgon2PasswordHasher } from '../../src/auth/passwords/passwords.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { Clock } from '../../src/clock.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { silentLogger } from '../../src/logger.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { createTestClock } from './clock.js';

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** The command line in process, on the SQLite file of `env.DATABASE_URL`, as an operator runs it. */
export async function runCliInProcess(
  argv: string[],
  env: Environment,
  options: { input?: string | null; clock?: Clock } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    commands: COMMANDS,
    io: {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readInput: async () => options.input ?? null,
    },
    clock: options.clock ?? createTestClock(),
    passwords: createArgon2PasswordHasher(),
    loadConfig: () => loadConfig(env, 'cli'),
    openStore: async (config) =>
      openSqliteStore(config.database.kind === 'sqlite' ? config.database.path : ''),
    openSecretBox: (config) => openSecretBox(config.mfaKeys, silentLogger),
  });
  return { code, out, err };
}
