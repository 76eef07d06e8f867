import { type CliCommand, EXIT, parseCommandArgs } from '../command.js';

const migrate: CliCommand = {
  name: 'migrate',
  usage: '',
  summary: 'Create the database if needed and apply pending migrations (the service does too).',
  prepare(args) {
    parseCommandArgs(args, {}, 0);
    return async ({ io, config, openStore }) => {
      // Opening the store applies the generated migrations, each in its own transaction.
      await (await openStore()).ping();
      io.out(`${config.database.description}: migrations applied, schema up to date`);
      return EXIT.ok;
    };
  },
};

export const migrateCommands: readonly CliCommand[] = [migrate];
