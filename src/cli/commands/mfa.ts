import { resealSecrets } from '../../auth/factors/rotate-secret-key.js';
import { type CliCommand, EXIT, parseCommandArgs } from '../command.js';

// Second factors, as the operator manages them.

const rotateKey: CliCommand = {
  name: 'mfa:rotate-key',
  usage: '',
  summary:
    'Re-seal every TOTP secret with the first key of MFA_ENCRYPTION_KEYS, so an older key can be dropped.',
  prepare(args) {
    parseCommandArgs(args, {}, 0);
    return async (context) => {
      const { io } = context;
      // The ring first: a bad key setting fails before the database is opened.
      const box = await context.openSecretBox();
      const store = await context.openStore();
      const report = await resealSecrets(store.factors, box);
      io.out(`resealed           ${report.resealed}`);
      io.out(`already current    ${report.alreadyCurrent}`);
      io.out(`changed meanwhile  ${report.changedMeanwhile}`);
      io.out(`unreadable         ${report.unreadable.length}`);
      if (report.changedMeanwhile > 0) {
        io.out('Secrets changed while this ran were left as written: run it again to check them.');
      }
      if (report.unreadable.length === 0) return EXIT.ok;
      // Factor ids only: the operator can reset those users (their secret is lost anyway).
      for (const factorId of report.unreadable) io.err(`unreadable  factor ${factorId}`);
      io.err(
        'No key of the ring opens these secrets: do not drop a key from MFA_ENCRYPTION_KEYS until ' +
          'they are resolved (restore the missing key, or reset those users).',
      );
      return EXIT.failed;
    };
  },
};

/** Every `mfa:` command, in the order the usage lists them. */
export const mfaCommands: readonly CliCommand[] = [rotateKey];
