import type { PasswordHasher } from '../auth/passwords/passwords.js';
import type { SecretBox } from '../auth/ports/secret-box.js';
import type { Store } from '../auth/ports/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { type CliAction, type CliCommand, type CliIo, EXIT, UsageError } from './command.js';

export interface CliDeps {
  readonly commands: readonly CliCommand[];
  readonly io: CliIo;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  /** Read only once the arguments are known to be good. */
  loadConfig(): Config;
  openStore(config: Config): Promise<Store>;
  openSecretBox(config: Config): Promise<SecretBox>;
}

const PROGRAM = 'npm run cli --';

/**
 * Runs one command line (without the program name) and resolves to the exit code:
 * 0 done, 1 refused or failed, 2 bad arguments (with the usage). Arguments are checked before
 * the configuration is read or the database opened, so bad ones change nothing.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { io, commands } = deps;
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    printUsage(commands, name === undefined ? io.err : io.out);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(`Unknown command "${name}".`);
    printUsage(commands, io.err);
    return EXIT.usage;
  }

  let store: Promise<Store> | null = null;
  let secretBox: Promise<SecretBox> | null = null;
  try {
    const action: CliAction = command.prepare(args);
    const config = deps.loadConfig();
    return await action({
      config,
      clock: deps.clock,
      io,
      passwords: deps.passwords,
      openStore() {
        store ??= deps.openStore(config);
        return store;
      },
      openSecretBox() {
        secretBox ??= deps.openSecretBox(config);
        return secretBox;
      },
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${command.name}: ${error.message}`);
    io.err(`Usage: ${PROGRAM} ${command.name} ${command.usage}`.trimEnd());
    return EXIT.usage;
  } finally {
    // A store that failed to open has nothing to close; its error has reached the action.
    const opened = await (store as Promise<Store> | null)?.catch(() => null);
    await opened?.close();
  }
}

function printUsage(commands: readonly CliCommand[], write: (line: string) => void): void {
  write(`Usage: ${PROGRAM} <command> [arguments]`);
  write('');
  for (const command of commands) {
    write(`  ${`${command.name} ${command.usage}`.trimEnd()}`);
    write(`      ${command.summary}`);
  }
  write('');
  write('The database is the one DATABASE_URL names, as for the service.');
}
