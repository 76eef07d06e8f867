import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, recordEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { checkPasswordPolicy, isPasswordOversized } from './passwords/passwords.js';
import type { AuthGrant } from './sessions/grant.js';
import { findSessionFailure } from './sessions/session-state.js';
import { settleSessionWrite } from './sessions/settle-commit.js';
import { grantFor } from './sessions/start-session.js';
import type { Viewer } from './sessions/viewer.js';
import { createRandomId } from './tokens/token-pair.js';

export interface ChangePasswordInput {
  readonly currentPassword: string;
  readonly newPassword: string;
}

type ChangePasswordFailure = AuthenticationFailure | InputFailure | RateLimitFailure;

/**
 * Replaces the viewer's password after checking the current one, ends every other session of
 * the user, and returns a fresh pair for the viewer's session. The session's refresh token from
 * before the change is retired with no grace, so a stolen copy counts as reuse.
 *
 * The change, the revocations and the PASSWORD_CHANGED event commit in one transaction, so an
 * error answer means that the old password and refresh token still hold; a commit whose
 * outcome is unknown is settled by reading the session again (see settleSessionWrite).
 *
 * Counts against the client's and the account's limits, so a stolen access token cannot be
 * used to guess the password quickly.
 */
export async function changePassword(
  deps: AuthDeps,
  viewer: Viewer,
  input: ChangePasswordInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, ChangePasswordFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'changePassword',
    ['changePasswordPerIp', ['changePasswordPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  if (isPasswordOversized(input.currentPassword)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' });
  }
  const policyFailure = checkPasswordPolicy(input.newPassword);
  if (policyFailure !== null) return failure({ ...policyFailure, field: 'newPassword' });

  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
    await recordEvent(deps, client, {
      type: 'PASSWORD_CHANGE_FAILED',
      userId: user.id,
      sessionId: viewer.sessionId,
      detail: 'WRONG_PASSWORD',
    });
    return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  }
  if (input.newPassword.normalize('NFKC') === input.currentPassword.normalize('NFKC')) {
    return failure({ reason: 'PASSWORD_UNCHANGED', field: 'newPassword' });
  }

  const now = deps.clock.now();
  const nextRefreshJti = createRandomId();
  const event = stampEvent(deps, client, {
    type: 'PASSWORD_CHANGED',
    userId: user.id,
    sessionId: viewer.sessionId,
  });
  const change = {
    userId: user.id,
    expectedPasswordHash: user.passwordHash,
    passwordHash: await deps.passwords.hash(input.newPassword),
    keepSessionId: viewer.sessionId,
    nextRefreshJti,
    now,
  };
  const changed = await settleSessionWrite(
    deps.store.sessions,
    { sessionId: viewer.sessionId, refreshJti: nextRefreshJti },
    deps.store.users.changePassword(change, event),
    // Committed, but how many sessions it ended is only in the audit log now: the other sinks
    // (metrics) count none.
    (session) => ({ session, revokedSessions: 0 }),
  );
  if (changed === null) {
    // Either the session ended meanwhile, or a concurrent change replaced the password first.
    const session = await deps.store.sessions.findById(viewer.sessionId);
    const sessionFailure = findSessionFailure(session, viewer.userId, now);
    if (sessionFailure !== null) return failure(sessionFailure);
    return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  }

  await announceStoredEvent(deps, event, changed.revokedSessions);
  return success(await grantFor(deps, changed.session, user));
}
