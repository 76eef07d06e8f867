#!/usr/bin/env node
import { createArgon2PasswordHasher } from '../auth/passwords/passwords.js';
import { systemClock } from '../clock.js';
import { isConfigurationError, loadConfig } from '../config.js';
import { openStore } from '../db/open-store.js';
import { createJsonLogger } from '../logger.js';
import { openAnnouncingStore } from '../redis/open-shared-state.js';
import { openSecretBox } from '../secrets/open-secret-box.js';
import type { CliIo } from './command.js';
import { COMMANDS } from './registry.js';
import { runCli } from './run-cli.js';

// The command line's only module with side effects: arguments, environment, standard streams.

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async readInput() {
    if (process.stdin.isTTY) return null;
    process.stdin.setEncoding('utf8');
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
};

runCli(process.argv.slice(2), {
  commands: COMMANDS,
  io,
  clock: systemClock,
  passwords: createArgon2PasswordHasher(),
  loadConfig: () => loadConfig(process.env, 'cli'),
  async openStore(config) {
    const logger = createJsonLogger((line) => process.stderr.write(line), 'warn');
    const store = await openStore(config.database, logger);
    // Running instances must hear about revocations made here (sessions:revoke).
    if (config.redis === null) return store;
    return openAnnouncingStore(config.redis, store, logger);
  },
  openSecretBox(config) {
    const logger = createJsonLogger((line) => process.stderr.write(line), 'warn');
    // Until Config carries the key ring (config.mfaKeys), it is read here from the same
    // environment, against the same database settings.
    return openSecretBox(config.mfaKeys, logger);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      isConfigurationError(error) ? `${error.message}\n` : `${(error as Error).stack ?? error}\n`,
    );
    process.exitCode = 1;
  },
);
