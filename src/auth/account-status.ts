import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { settleWrite } from './sessions/settle-commit.js';

// Disabling and enabling an account, by an ADMIN through the API or by the operator (the CLI).

export type AccountStatusDeps = Pick<AuthDeps, 'store' | 'clock' | 'events'>;

/** Who acts: an ADMIN (their user id) or the operator (null), and from where. */
export interface StatusActor {
  readonly actorId: string | null;
  readonly client: ClientInfo;
}

/**
 * Disables (`disabled`) or enables an account. Disabling ends every session of the account
 * (reason `account_disabled`): their tokens are refused from the next request, a later login with
 * the correct password answers ACCOUNT_DISABLED, and no reset mail is sent. True when this call
 * changed the account, with USER_DISABLED or USER_ENABLED; false, changing nothing, when it was
 * in that state already or does not exist.
 */
export async function setAccountDisabled(
  deps: AccountStatusDeps,
  actor: StatusActor,
  userId: string,
  disabled: boolean,
): Promise<boolean> {
  const event = stampEvent(deps, actor.client, {
    type: disabled ? 'USER_DISABLED' : 'USER_ENABLED',
    userId,
    actorId: actor.actorId,
    detail: actor.actorId === null ? 'OPERATOR' : null,
  });
  const change = { userId, disabled, now: deps.clock.now() };
  const revoked = await settleWrite(deps.store.accounts.setDisabled(change, event), async () => {
    const user = await deps.store.users.findById(userId);
    return user !== null && (user.disabledAt !== null) === disabled ? 0 : null;
  });
  if (revoked === null) return false;
  await announceStoredEvent(deps, event, revoked);
  return true;
}
