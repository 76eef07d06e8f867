import { randomUUID } from 'node:crypto';
import type { InputFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './accounts/email.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, recordRevocationEvent, stampEvent } from './events/record-event.js';
import { checkPasswordPolicy } from './passwords/passwords.js';
import type { Role, UserRecord } from './ports/records.js';
import { settleWrite } from './sessions/settle-commit.js';

// What an operator does from the command line, outside any session. Each action validates its
// input before writing, writes in one store transaction together with its audit event, whose
// detail says it came from the operator ("OPERATOR"), since there is no acting user to name.

export type OperatorDeps = Pick<AuthDeps, 'store' | 'clock' | 'passwords' | 'events'>;

/** The client of an operator action: none (the command line runs on the operator's machine). */
export const OPERATOR: ClientInfo = { ip: null, userAgent: null };

export interface NewAccountInput {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly Role[];
  /** `user:create --verified`: the operator vouches for the address. Unverified by default. */
  readonly emailVerified?: boolean;
}

/**
 * Checks an account's email and password against the same rules as `signUp`, without touching
 * the store: the command line calls it before it opens the database.
 */
export function checkNewAccount(input: NewAccountInput): InputFailure | null {
  if (!isValidEmail(normaliseEmail(input.email))) {
    return { reason: 'INVALID_EMAIL', field: 'email' };
  }
  return checkPasswordPolicy(input.password);
}

/**
 * Creates an account with the given roles and no session. Fails with the input failure of
 * {@link checkNewAccount}, or EMAIL_TAKEN, writing nothing. Records USER_CREATED in the same
 * transaction as the account.
 */
export async function createAccount(
  deps: OperatorDeps,
  input: NewAccountInput,
): Promise<Result<UserRecord, InputFailure>> {
  const invalid = checkNewAccount(input);
  if (invalid !== null) return failure(invalid);
  const id = randomUUID();
  const roles = [...input.roles];
  const event = stampEvent(deps, OPERATOR, {
    type: 'USER_CREATED',
    userId: id,
    detail: `OPERATOR ${roles.join(',')}`,
  });
  const { users } = deps.store;
  const account = {
    id,
    email: normaliseEmail(input.email),
    name: null,
    passwordHash: await deps.passwords.hash(input.password),
    roles,
    createdAt: deps.clock.now(),
    emailVerified: input.emailVerified === true,
    disabledAt: null,
  };
  // A commit whose outcome is unknown is settled by looking the new id up.
  const user = await settleWrite(users.insert(account, event), () => users.findById(id));
  if (user === null) return failure({ reason: 'EMAIL_TAKEN', field: 'email' });
  await announceStoredEvent(deps, event, 0);
  return success(user);
}

/** The user an operator names, by email or by id. */
export async function findUserByEmailOrId(
  deps: Pick<OperatorDeps, 'store'>,
  emailOrId: string,
): Promise<UserRecord | null> {
  return emailOrId.includes('@')
    ? deps.store.users.findByEmail(normaliseEmail(emailOrId))
    : deps.store.users.findById(emailOrId);
}

/**
 * Replaces a user's roles. They reach access tokens issued from then on; tokens already issued
 * keep their roles until they expire. Records ROLES_CHANGED with the new roles.
 */
export async function replaceUserRoles(
  deps: OperatorDeps,
  user: UserRecord,
  roles: readonly Role[],
): Promise<void> {
  const event = stampEvent(deps, OPERATOR, {
    type: 'ROLES_CHANGED',
    userId: user.id,
    detail: `OPERATOR ${roles.join(',')}`,
  });
  await deps.store.users.setRoles(user.id, roles, event);
  await announceStoredEvent(deps, event, 0);
}

/**
 * Ends every live session of a user at once: their access and refresh tokens are refused from
 * the next request on. Returns how many sessions were ended; records SESSION_REVOKED.
 */
export async function revokeAllSessionsOfUser(
  deps: OperatorDeps,
  user: UserRecord,
): Promise<number> {
  const event = stampEvent(deps, OPERATOR, {
    type: 'SESSION_REVOKED',
    userId: user.id,
    detail: 'OPERATOR',
  });
  const revokedSessions = await deps.store.sessions.revokeAllForUser(
    user.id,
    'revoked_by_admin',
    deps.clock.now(),
    undefined,
    event,
  );
  await recordRevocationEvent(deps, event, revokedSessions);
  return revokedSessions;
}
