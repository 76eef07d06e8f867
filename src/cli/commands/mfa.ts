import { resealSecrets } from '../../auth/factors/rotate-secret-key.js';
import { resetUserFactors } from '../../auth/manage-factors.js';
import { findUserByEmailOrId, OPERATOR } from '../../auth/operator-actions.js';
import {
  type CliCommand,
  EXIT,
  openOperatorDeps,
  parseCommandArgs,
  UsageError,
} from '../command.js';

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

const reset: CliCommand = {
  name: 'mfa:reset',
  usage: '--user <email or id>',
  summary:
    'Remove a user’s second factors and recovery codes and end their sessions (a lost phone): they log in with the password alone, and may enrol again.',
  prepare(args) {
    const { values } = parseCommandArgs(args, { user: { type: 'string' } }, 0);
    const who = values.user;
    if (typeof who !== 'string' || who.trim() === '') {
      throw new UsageError('name the user: --user <email or id>');
    }
    return async (context) => {
      const { io } = context;
      const deps = await openOperatorDeps(context);
      const user = await findUserByEmailOrId(deps, who);
      const ended = user === null ? null : await resetUserFactors(deps, user.id, OPERATOR);
      if (user === null || ended === null) {
        io.err(`no user ${who}`);
        return EXIT.failed;
      }
      io.out(`${user.email}: second factors removed, ${ended} session(s) ended`);
      return EXIT.ok;
    };
  },
};

/** Every `mfa:` command, in the order the usage lists them. */
export const mfaCommands: readonly CliCommand[] = [reset, rotateKey];
