import type { AuthenticationFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import type { UserRecord } from './ports/records.js';
import { mailedLink } from './recovery/issue-link.js';
import { settleWrite } from './sessions/settle-commit.js';
import type { Viewer } from './sessions/viewer.js';

/**
 * Sends the viewer a new verification link, superseding any earlier one. False, sending
 * nothing, when the address is verified already. Counts against RATE_LIMIT_EMAIL_IP and
 * RATE_LIMIT_EMAIL_ACCOUNT.
 */
export async function requestEmailVerification(
  deps: AuthDeps,
  viewer: Viewer,
  client: ClientInfo,
): Promise<Result<boolean, AuthenticationFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'requestEmailVerification',
    ['emailPerIp', ['emailPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (user.emailVerified) return success(false);
  const queued = await queueVerificationMail(deps, user, client, viewer.sessionId, null);
  return queued ? success(true) : failure('SESSION_REVOKED');
}

/**
 * Issues a verification token for `user` and queues its mail, with EMAIL_VERIFICATION_SENT, in
 * one write. False when the account is gone or disabled.
 */
export async function queueVerificationMail(
  deps: Pick<AuthDeps, 'store' | 'clock' | 'settings' | 'events' | 'mailQueued'>,
  user: UserRecord,
  client: ClientInfo,
  sessionId: string | null,
  detail: string | null,
): Promise<boolean> {
  const { record, mail } = mailedLink(deps, user, 'verify_email', 'verify_email', user.email);
  const event = stampEvent(deps, client, {
    type: 'EMAIL_VERIFICATION_SENT',
    userId: user.id,
    sessionId,
    detail,
  });
  const { accounts } = deps.store;
  const issued = await settleWrite(
    accounts.issueLinks({ userId: user.id, tokens: [record], mails: [mail] }, event),
    async () => ((await accounts.findLink(record.tokenHash)) === null ? null : true),
  );
  if (!issued) return false;
  await announceStoredEvent(deps, event, 0);
  deps.mailQueued?.();
  return true;
}
