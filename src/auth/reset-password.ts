import type { AuthenticationFailure, InputFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkPasswordPolicy } from './passwords/passwords.js';
import { newMail } from './recovery/queue-mail.js';
import { consumeLink, findUsableLink } from './recovery/use-link.js';
import type { AuthGrant } from './sessions/grant.js';
import { grantFor, newSessionFor } from './sessions/start-session.js';

export interface ResetPasswordInput {
  readonly token: string;
  readonly newPassword: string;
}

/**
 * Sets a new password with the token from a reset mail, all in one transaction: consumes the
 * token (once: of concurrent calls with one token exactly one succeeds), replaces the hash,
 * removes every other reset token, ends **every** session of the account (their access tokens
 * are refused from their next request), marks the email verified (the user proved they read
 * it), records PASSWORD_RESET and queues a "your password was changed" notice. Returns the pair
 * of a new session.
 *
 * Fails with the password policy's reasons (field `newPassword`), LINK_INVALID, LINK_EXPIRED,
 * or ACCOUNT_DISABLED for an account disabled since the mail: then the token is used up and
 * nothing else changes.
 */
export async function resetPassword(
  deps: AuthDeps,
  input: ResetPasswordInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure>> {
  const found = await findUsableLink(deps, input.token, ['reset_password']);
  if (!found.ok) return found;
  const policyFailure = checkPasswordPolicy(input.newPassword);
  if (policyFailure !== null) return failure({ ...policyFailure, field: 'newPassword' });
  const { link, user } = found.value;
  if (user.email !== link.email) return failure({ reason: 'LINK_INVALID', field: 'token' });

  const passwordHash = await deps.passwords.hash(input.newPassword);
  const session = newSessionFor(deps, { ...user, emailVerified: true }, client);
  const event = stampEvent(deps, client, {
    type: 'PASSWORD_RESET',
    userId: user.id,
    sessionId: session.id,
  });
  const notice = newMail(deps, 'password_changed', link.email, user.id, { email: link.email });
  const used = await consumeLink(
    deps,
    found.value,
    { kind: 'reset_password', passwordHash, session, notice },
    event,
    async () => {
      const stored = await deps.store.sessions.findById(session.id);
      const now = await deps.store.users.findById(user.id);
      if (stored?.currentRefreshJti !== session.currentRefreshJti || now === null) return null;
      return { outcome: 'used', user: now, session: stored, revokedSessions: 0 };
    },
  );
  if (!used.ok) return used;
  const { session: opened, revokedSessions } = used.value;
  if (opened === null) throw new Error('A reset committed without its session.');
  await announceStoredEvent(deps, event, revokedSessions);
  deps.mailQueued?.();
  return success(await grantFor(deps, opened, used.value.user));
}
