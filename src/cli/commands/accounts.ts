import { findUserByEmailOrId } from '../../auth/operator-actions.js';
import {
  deleteUserAsOperator,
  sendPasswordResetAsOperator,
  setDisabledAsOperator,
  verifyEmailAsOperator,
} from '../../auth/operator-lifecycle.js';
import type { UserRecord } from '../../auth/ports/records.js';
import {
  type CliCommand,
  type CliContext,
  EXIT,
  openOperatorDeps,
  parseCommandArgs,
  UsageError,
} from '../command.js';

// The account lifecycle for operators: each command is audited as an operator action.

type AccountAction = (
  deps: Awaited<ReturnType<typeof openOperatorDeps>>,
  user: UserRecord,
  context: CliContext,
) => Promise<number>;

/** A command taking one `<email or id>`; the action runs on that user, if there is one. */
function onOneUser(name: string, summary: string, action: AccountAction): CliCommand {
  return {
    name,
    usage: '<email or id>',
    summary,
    prepare(args) {
      const { positionals } = parseCommandArgs(args, {}, 1);
      const [who = ''] = positionals;
      return async (context) => {
        const deps = await openOperatorDeps(context);
        const user = await findUserByEmailOrId(deps, who);
        if (user === null) {
          context.io.err(`no user ${who}`);
          return EXIT.failed;
        }
        return action(deps, user, context);
      };
    },
  };
}

const verifyEmail = onOneUser(
  'user:verify-email',
  'Mark a user’s address verified (their sessions lose the EMAIL_NOT_VERIFIED restriction).',
  async (deps, user, { io }) => {
    const marked = await verifyEmailAsOperator(deps, user);
    io.out(`${user.email}: ${marked ? 'verified' : 'was verified already'}`);
    return EXIT.ok;
  },
);

const sendReset = onOneUser(
  'user:send-reset',
  'Queue a password-reset mail to a user’s address; a running instance sends it.',
  async (deps, user, { io }) => {
    if (user.disabledAt !== null) {
      io.err(`${user.email} is disabled: no reset mail is sent to a disabled account`);
      return EXIT.failed;
    }
    await sendPasswordResetAsOperator(deps, user);
    io.out(`${user.email}: reset mail queued`);
    return EXIT.ok;
  },
);

const disable = onOneUser(
  'user:disable',
  'Disable an account: every session ends, and login answers ACCOUNT_DISABLED.',
  async (deps, user, { io }) => {
    const changed = await setDisabledAsOperator(deps, user, true);
    io.out(`${user.email}: ${changed ? 'disabled' : 'was disabled already'}`);
    return EXIT.ok;
  },
);

const enable = onOneUser(
  'user:enable',
  'Enable a disabled account again (its ended sessions stay ended).',
  async (deps, user, { io }) => {
    const changed = await setDisabledAsOperator(deps, user, false);
    io.out(`${user.email}: ${changed ? 'enabled' : 'was enabled already'}`);
    return EXIT.ok;
  },
);

const deleteUser: CliCommand = {
  name: 'user:delete',
  usage: '<email or id> --yes',
  summary:
    'Delete an account with its sessions, links and unsent mails; the audit log keeps its id.',
  prepare(args) {
    const { values, positionals } = parseCommandArgs(args, { yes: { type: 'boolean' } }, 1);
    if (values.yes !== true) throw new UsageError('deleting cannot be undone: add --yes');
    const [who = ''] = positionals;
    return async (context) => {
      const deps = await openOperatorDeps(context);
      const user = await findUserByEmailOrId(deps, who);
      if (user === null) {
        context.io.err(`no user ${who}`);
        return EXIT.failed;
      }
      const revoked = await deleteUserAsOperator(deps, user);
      if (revoked === null) {
        context.io.err(`no user ${who}`);
        return EXIT.failed;
      }
      context.io.out(
        `${user.email}: deleted (${revoked} session${revoked === 1 ? '' : 's'} ended)`,
      );
      return EXIT.ok;
    };
  },
};

export const accountCommands: readonly CliCommand[] = [
  verifyEmail,
  sendReset,
  disable,
  enable,
  deleteUser,
];
