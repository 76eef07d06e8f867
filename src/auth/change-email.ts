import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './accounts/email.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { isPasswordOversized } from './passwords/passwords.js';
import { mailedLink } from './recovery/issue-link.js';
import { settleWrite } from './sessions/settle-commit.js';
import type { Viewer } from './sessions/viewer.js';

export interface ChangeEmailInput {
  readonly newEmail: string;
  readonly currentPassword: string;
}

/**
 * Starts an email change, after checking the current password: queues a confirmation link to
 * the new address and, to the old one, a notice carrying an undo link (valid as long), which
 * restores the old address and ends every session. The address changes only on confirmation.
 * EMAIL_TAKEN (field `newEmail`) at once for an address another account has. Counts against
 * RATE_LIMIT_EMAIL_IP and RATE_LIMIT_EMAIL_ACCOUNT.
 */
export async function changeEmail(
  deps: AuthDeps,
  viewer: Viewer,
  input: ChangeEmailInput,
  client: ClientInfo,
): Promise<Result<boolean, AuthenticationFailure | InputFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'changeEmail',
    ['emailPerIp', ['emailPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const newEmail = normaliseEmail(input.newEmail);
  if (!isValidEmail(newEmail)) return failure({ reason: 'INVALID_EMAIL', field: 'newEmail' });
  if (isPasswordOversized(input.currentPassword)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' });
  }
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
    return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  }
  if (newEmail === user.email || (await deps.store.users.findByEmail(newEmail)) !== null) {
    return failure({ reason: 'EMAIL_TAKEN', field: 'newEmail' });
  }

  const change = mailedLink(deps, user, 'change_email', 'change_email', newEmail);
  const undo = mailedLink(deps, user, 'undo_email_change', 'email_change_notice', user.email, {
    newEmail,
  });
  const event = stampEvent(deps, client, {
    type: 'EMAIL_CHANGE_REQUESTED',
    userId: user.id,
    sessionId: viewer.sessionId,
  });
  const { accounts } = deps.store;
  const issue = {
    userId: user.id,
    tokens: [change.record, undo.record],
    mails: [change.mail, undo.mail],
  };
  const issued = await settleWrite(accounts.issueLinks(issue, event), async () =>
    (await accounts.findLink(change.record.tokenHash)) === null ? null : true,
  );
  if (!issued) return failure('SESSION_REVOKED');
  await announceStoredEvent(deps, event, 0);
  deps.mailQueued?.();
  return success(true);
}
