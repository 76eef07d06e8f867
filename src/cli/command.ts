import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import { createAuditLogSink } from '../auth/events/audit-log.js';
import type { OperatorDeps } from '../auth/operator-actions.js';
import type { PasswordHasher } from '../auth/passwords/passwords.js';
import type { SecretBox } from '../auth/ports/secret-box.js';
import type { Store } from '../auth/ports/store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';

/** Where a command reads and writes; the real process or a test. */
export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Standard input, whole; null when it is a terminal (nothing was piped in). */
  readInput(): Promise<string | null>;
}

/**
 * What an action gets. The store and the secret box open on first use, after every argument
 * was checked.
 */
export interface CliContext {
  readonly config: Config;
  readonly clock: Clock;
  readonly io: CliIo;
  readonly passwords: PasswordHasher;
  openStore(): Promise<Store>;
  /** The box that seals TOTP secrets, under the key ring the service uses. */
  openSecretBox(): Promise<SecretBox>;
}

/** Opens the store and returns what operator actions need; their events go to the audit log. */
export async function openOperatorDeps(context: CliContext): Promise<OperatorDeps> {
  const store = await context.openStore();
  return {
    store,
    clock: context.clock,
    passwords: context.passwords,
    events: createAuditLogSink(store.auditEvents),
  };
}

/** Runs the command; resolves to the process exit code. */
export type CliAction = (context: CliContext) => Promise<number>;

export interface CliCommand {
  readonly name: string;
  /** The arguments after the name, e.g. `<email> [--admin]`. */
  readonly usage: string;
  readonly summary: string;
  /**
   * Checks the arguments without side effects and returns the action, or throws
   * {@link UsageError}: a command with bad arguments never opens the database.
   */
  prepare(args: readonly string[]): CliAction;
}

/** Bad arguments: reported with the command's usage and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A comma-separated list of names from `values`, compared case-insensitively, without
 * duplicates; a name outside `values` is a usage error naming it and the allowed ones.
 */
export function parseNameList<T extends string>(
  raw: string,
  values: readonly T[],
  what: string,
): T[] {
  const names: T[] = [];
  for (const entry of raw.split(',')) {
    const name = entry.trim().toUpperCase();
    const value = values.find((candidate) => candidate === name);
    if (value === undefined) {
      throw new UsageError(`unknown ${what} "${entry.trim()}"; expected ${values.join(', ')}`);
    }
    if (!names.includes(value)) names.push(value);
  }
  return names;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs in strict mode, with an exact number of positionals; every problem
 * becomes a {@link UsageError}.
 */
export function parseCommandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  positionals: number,
) {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(
      `expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`,
    );
  }
  return parsed;
}
