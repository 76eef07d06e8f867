import { type CliCommand, EXIT, parseCommandArgs } from '../command.js';

// keys:rotate belongs here too, over the key rotation functions of the signing-keys work.

const listKeys: CliCommand = {
  name: 'keys:list',
  usage: '',
  summary: 'List the signing keys that verify tokens: kid, algorithm, status, creation time.',
  prepare(args) {
    parseCommandArgs(args, {}, 0);
    return async ({ io, openStore }) => {
      const keys = await openStore().signingKeys.listVerifying();
      for (const key of keys) {
        io.out(
          `${key.kid}  ${key.alg.padEnd(5)}  ${key.status.padEnd(8)}  created ${new Date(key.createdAt).toISOString()}`,
        );
      }
      if (keys.length === 0)
        io.out('no signing keys yet: the service creates one at its first start');
      return EXIT.ok;
    };
  },
};

export const keyCommands: readonly CliCommand[] = [listKeys];
