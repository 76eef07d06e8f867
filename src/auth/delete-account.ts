import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { isPasswordOversized } from './passwords/passwords.js';
import { settleWrite } from './sessions/settle-commit.js';
import type { Viewer } from './sessions/viewer.js';

/**
 * Deletes the viewer's account after checking the current password: the user, their sessions
 * (whose tokens then answer SESSION_REVOKED), link tokens and unsent mails, in one transaction
 * with USER_DELETED, which the audit log keeps with the user id only. The address may sign up
 * again. Counts against the password-change limits, since it tests the password.
 */
export async function deleteAccount(
  deps: AuthDeps,
  viewer: Viewer,
  currentPassword: string,
  client: ClientInfo,
): Promise<Result<boolean, AuthenticationFailure | InputFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'deleteAccount',
    ['changePasswordPerIp', ['changePasswordPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  if (isPasswordOversized(currentPassword)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' });
  }
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (!(await deps.passwords.verify(user.passwordHash, currentPassword))) {
    return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  }
  const event = stampEvent(deps, client, {
    type: 'USER_DELETED',
    userId: user.id,
    sessionId: viewer.sessionId,
  });
  const deletion = {
    userId: user.id,
    now: deps.clock.now(),
    expectedPasswordHash: user.passwordHash,
  };
  const revoked = await settleWrite(deps.store.accounts.deleteUser(deletion, event), async () =>
    (await deps.store.users.findById(user.id)) === null ? 0 : null,
  );
  // The password changed meanwhile: the one just checked no longer holds.
  if (revoked === null) return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  await announceStoredEvent(deps, event, revoked);
  return success(true);
}
