import {
  checkNewAccount,
  createAccount,
  findUserByEmailOrId,
  replaceUserRoles,
} from '../../auth/operator-actions.js';
import { ROLES, type Role } from '../../auth/ports/records.js';
import { AUTH_ERRORS } from '../../errors.js';
import {
  type CliCommand,
  EXIT,
  openOperatorDeps,
  parseCommandArgs,
  parseNameList,
  UsageError,
} from '../command.js';

const createUser: CliCommand = {
  name: 'user:create',
  usage: '<email> [--admin] [--verified]   (password on standard input)',
  summary:
    'Create an account with the USER role, and ADMIN with --admin; its address counts as verified with --verified.',
  prepare(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { admin: { type: 'boolean' }, verified: { type: 'boolean' } },
      1,
    );
    const [email = ''] = positionals;
    const roles: Role[] = values.admin ? ['USER', 'ADMIN'] : ['USER'];
    return async (context) => {
      const { io } = context;
      const input = await io.readInput();
      if (input === null) {
        throw new UsageError(
          'the password is read from standard input, e.g. printf \'%s\' "$PASSWORD" | npm run cli -- user:create ...',
        );
      }
      // One trailing newline is the end of the line, not part of the password.
      const password = input.replace(/\r?\n$/, '');
      const invalid = checkNewAccount({ email, password, roles });
      if (invalid !== null) {
        io.err(`${invalid.field}: ${AUTH_ERRORS[invalid.reason].message}`);
        return EXIT.failed;
      }
      const created = await createAccount(await openOperatorDeps(context), {
        email,
        password,
        roles,
        emailVerified: values.verified === true,
      });
      if (!created.ok) {
        io.err(`${created.failure.field}: ${AUTH_ERRORS[created.failure.reason].message}`);
        return EXIT.failed;
      }
      const { value: user } = created;
      const verified = user.emailVerified ? ' (verified)' : '';
      io.out(`created ${user.id} ${user.email} ${user.roles.join(',')}${verified}`);
      return EXIT.ok;
    };
  },
};

const setRoles: CliCommand = {
  name: 'user:set-roles',
  usage: `<email or id> <roles, comma-separated: ${ROLES.join(',')}>`,
  summary: 'Replace a user’s roles (they reach access tokens issued from then on).',
  prepare(args) {
    const { positionals } = parseCommandArgs(args, {}, 2);
    const [who = '', list = ''] = positionals;
    const roles = parseNameList(list, ROLES, 'role');
    return async (context) => {
      const { io } = context;
      const deps = await openOperatorDeps(context);
      const user = await findUserByEmailOrId(deps, who);
      if (user === null) {
        io.err(`no user ${who}`);
        return EXIT.failed;
      }
      await replaceUserRoles(deps, user, roles);
      io.out(`${user.email}: ${roles.join(',')}`);
      io.out(
        'Access tokens already issued keep their old roles until they expire; ' +
          'sessions:revoke --user ends them now.',
      );
      return EXIT.ok;
    };
  },
};

/** `USER,ADMIN` → the roles, each known and listed once; anything else is a usage error. */
export const userCommands: readonly CliCommand[] = [createUser, setRoles];
