import { findUserByEmailOrId, revokeAllSessionsOfUser } from '../../auth/operator-actions.js';
import {
  type CliCommand,
  EXIT,
  openOperatorDeps,
  parseCommandArgs,
  UsageError,
} from '../command.js';

const revokeSessions: CliCommand = {
  name: 'sessions:revoke',
  usage: '--user <email or id>',
  summary: 'End every live session of a user now (access and refresh tokens stop working).',
  prepare(args) {
    const { values } = parseCommandArgs(args, { user: { type: 'string' } }, 0);
    const who = values.user?.trim();
    if (!who) throw new UsageError('--user <email or id> is required');
    return async (context) => {
      const deps = await openOperatorDeps(context);
      const user = await findUserByEmailOrId(deps, who);
      if (user === null) {
        context.io.err(`no user ${who}`);
        return EXIT.failed;
      }
      const revoked = await revokeAllSessionsOfUser(deps, user);
      context.io.out(`${user.email}: ${revoked} session${revoked === 1 ? '' : 's'} revoked`);
      return EXIT.ok;
    };
  },
};

export const sessionCommands: readonly CliCommand[] = [revokeSessions];
