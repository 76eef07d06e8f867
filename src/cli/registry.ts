import type { CliCommand } from './command.js';
import { accountCommands } from './commands/accounts.js';
import { auditCommands } from './commands/audit.js';
import { keyCommands } from './commands/keys.js';
import { mailCommands } from './commands/mail.js';
import { mfaCommands } from './commands/mfa.js';
import { migrateCommands } from './commands/migrate.js';
import { sessionCommands } from './commands/sessions.js';
import { userCommands } from './commands/users.js';

/** Every command, in the order the usage lists them. One file per group under `commands/`. */
export const COMMANDS: readonly CliCommand[] = [
  ...migrateCommands,
  ...userCommands,
  ...accountCommands,
  ...sessionCommands,
  ...keyCommands,
  ...mfaCommands,
  ...auditCommands,
  ...mailCommands,
];
