import type { InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './accounts/email.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { newMail } from './recovery/queue-mail.js';

/**
 * Asks for a password-reset mail. Answers true for every well-formed address and does the same
 * work whatever the address: it queues one outbox row, without looking the account up. The
 * sender looks it up later, issues the token then, and drops the mail for an unknown or disabled
 * account (see recovery/deliver-outbox.ts), so neither the answer nor its latency says whether
 * the account exists. The per-address limit counts unknown addresses like known ones.
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  email: string,
  client: ClientInfo,
): Promise<Result<boolean, InputFailure | RateLimitFailure>> {
  const address = normaliseEmail(email);
  if (!isValidEmail(address)) return failure({ reason: 'INVALID_EMAIL', field: 'email' });
  const limited = await checkRateLimits(deps, client, 'requestPasswordReset', [
    'passwordResetPerIp',
    ['passwordResetPerAccount', address],
  ]);
  if (limited !== null) return failure(limited);
  await queuePasswordReset(deps, address, client, null);
  return success(true);
}

/** Queues a reset mail for `address` with PASSWORD_RESET_REQUESTED, in one write. */
export async function queuePasswordReset(
  deps: Pick<AuthDeps, 'store' | 'clock' | 'events' | 'mailQueued'>,
  address: string,
  client: ClientInfo,
  detail: string | null,
): Promise<void> {
  // No userId: the event must not say whether the address has an account.
  const event = stampEvent(deps, client, { type: 'PASSWORD_RESET_REQUESTED', detail });
  await deps.store.accounts.queueMails(
    [newMail(deps, 'reset_password', address, null, null)],
    event,
  );
  await announceStoredEvent(deps, event, 0);
  deps.mailQueued?.();
}
