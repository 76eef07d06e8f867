import { listSigningKeys, rotateSigningKeys } from '../../auth/keys/key-rotation.js';
import { type CliCommand, type CliContext, EXIT, parseCommandArgs } from '../command.js';

// Running servers pick a rotation up by themselves: within a minute, or at once when they meet
// a token signed by the new key.

async function keyDeps(context: CliContext) {
  return { store: await context.openStore(), clock: context.clock, config: context.config };
}

const rotateKeys: CliCommand = {
  name: 'keys:rotate',
  usage: '',
  summary: 'Make a new signing key active; the old one verifies until its tokens have expired.',
  prepare(args) {
    parseCommandArgs(args, {}, 0);
    return async (context) => {
      const { io, config } = context;
      // Checked before the store opens: supplied keys are not the store's to rotate.
      if (config.signingKeys.supplied !== null) {
        io.err(
          `The signing keys come from ${config.signingKeys.supplied.variable}: rotate them by ` +
            'putting a new key first in that key set and keeping the old one after it (see README).',
        );
        return EXIT.failed;
      }
      const rotation = await rotateSigningKeys(await keyDeps(context));
      if (!rotation.ok) throw new Error(`keys:rotate refused: ${rotation.failure}`);
      const { activated, demoted, retired } = rotation.value;
      io.out(`active    ${activated.kid} (${activated.alg})`);
      if (demoted !== null) {
        io.out(`retiring  ${demoted.kid} (verifies until ${iso(demoted.retiresAt)})`);
      }
      for (const kid of retired) io.out(`retired   ${kid}`);
      return EXIT.ok;
    };
  },
};

const listKeys: CliCommand = {
  name: 'keys:list',
  usage: '',
  summary: 'List every signing key, newest first: kid, algorithm, state, until when it verifies.',
  prepare(args) {
    parseCommandArgs(args, {}, 0);
    return async (context) => {
      const keys = await listSigningKeys(await keyDeps(context));
      for (const key of keys) {
        const retires = key.retiresAt === null ? '' : `  verifies until ${iso(key.retiresAt)}`;
        context.io.out(
          `${key.kid}  ${key.alg.padEnd(5)}  ${key.status.padEnd(8)}  created ${iso(key.createdAt)}${retires}`,
        );
      }
      if (keys.length === 0) {
        context.io.out('no signing keys yet: the service creates one at its first start');
      }
      return EXIT.ok;
    };
  },
};

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

export const keyCommands: readonly CliCommand[] = [rotateKeys, listKeys];
