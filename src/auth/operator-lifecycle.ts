import { setAccountDisabled } from './account-status.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { OPERATOR, type OperatorDeps } from './operator-actions.js';
import type { UserRecord } from './ports/records.js';
import { queuePasswordReset } from './request-password-reset.js';
import { settleWrite } from './sessions/settle-commit.js';

// The account lifecycle from the command line. Each action is audited as the operator's (detail
// "OPERATOR", no actor id) and goes through the same store writes as the API, so it ends
// sessions, and announces their end, exactly as the API does.

export type OperatorMailDeps = OperatorDeps & Pick<AuthDeps, 'mailQueued'>;

/**
 * Marks the address verified, as a verification link would, with EMAIL_VERIFIED: sessions lose
 * their EMAIL_NOT_VERIFIED restriction from their next request. False, changing nothing, when it
 * was verified already (or the user is gone).
 */
export async function verifyEmailAsOperator(
  deps: OperatorDeps,
  user: UserRecord,
): Promise<boolean> {
  const event = stampEvent(deps, OPERATOR, {
    type: 'EMAIL_VERIFIED',
    userId: user.id,
    detail: 'OPERATOR',
  });
  const marked = await settleWrite(
    deps.store.accounts.markEmailVerified(user.id, event),
    async () => ((await deps.store.users.findById(user.id))?.emailVerified ? true : null),
  );
  if (marked) await announceStoredEvent(deps, event, 0);
  return marked;
}

/**
 * Queues a reset mail to the user's address, as `requestPasswordReset` does (the sender issues
 * the token; a disabled account gets none), with PASSWORD_RESET_REQUESTED. No rate limit: the
 * operator is trusted. The mail leaves through a running instance's sender.
 */
export async function sendPasswordResetAsOperator(
  deps: OperatorMailDeps,
  user: UserRecord,
): Promise<void> {
  await queuePasswordReset(deps, user.email, OPERATOR, 'OPERATOR');
}

/**
 * Disables (`disabled`) or enables the account, as `disableUser` / `enableUser` do (disabling
 * ends every session). False when it was in that state already.
 */
export function setDisabledAsOperator(
  deps: OperatorDeps,
  user: UserRecord,
  disabled: boolean,
): Promise<boolean> {
  return setAccountDisabled(deps, { actorId: null, client: OPERATOR }, user.id, disabled);
}

/**
 * Deletes the account as `deleteAccount` does, without its password: the user, their sessions
 * (ended as `account_deleted`, announced), link tokens and unsent mails, with USER_DELETED, which
 * keeps only the user id. Returns how many live sessions ended; null when the user was gone.
 */
export async function deleteUserAsOperator(
  deps: OperatorDeps,
  user: UserRecord,
): Promise<number | null> {
  const event = stampEvent(deps, OPERATOR, {
    type: 'USER_DELETED',
    userId: user.id,
    detail: 'OPERATOR',
  });
  const revoked = await settleWrite(
    deps.store.accounts.deleteUser({ userId: user.id, now: deps.clock.now() }, event),
    async () => ((await deps.store.users.findById(user.id)) === null ? 0 : null),
  );
  if (revoked !== null) await announceStoredEvent(deps, event, revoked);
  return revoked;
}
