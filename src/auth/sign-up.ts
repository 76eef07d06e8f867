import { randomUUID } from 'node:crypto';
import type { InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './accounts/email.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { checkPasswordPolicy } from './passwords/passwords.js';
import type { Role, UserRecord } from './ports/records.js';
import { mailedLink } from './recovery/issue-link.js';
import type { AuthGrant } from './sessions/grant.js';
import { settleSessionWrite } from './sessions/settle-commit.js';
import { grantFor, newSessionFor } from './sessions/start-session.js';

export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly name?: string | null | undefined;
}

const MAX_NAME_LENGTH = 100;

/**
 * Creates an account, logs it in and queues its verification mail; with
 * REQUIRE_EMAIL_VERIFICATION the session is restricted until the address is verified. Counts
 * against the client's sign-up limit first. Validates every input before hashing, and leaves
 * the uniqueness of the email to the store, so concurrent sign-ups for one email create one
 * account. Emails listed in AUTH_ADMIN_EMAILS receive the ADMIN role.
 *
 * The account, its first session, its verification link and mail, and the SIGN_UP and
 * EMAIL_VERIFICATION_SENT events commit in one transaction, so an error answer means that none
 * was written and a retry does not find the email taken.
 */
export async function signUp(
  deps: AuthDeps,
  input: SignUpInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, InputFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(deps, client, 'signUp', ['signUpPerIp']);
  if (limited !== null) return failure(limited);
  const email = normaliseEmail(input.email);
  if (!isValidEmail(email)) return failure({ reason: 'INVALID_EMAIL', field: 'email' });
  const passwordFailure = checkPasswordPolicy(input.password);
  if (passwordFailure !== null) return failure(passwordFailure);
  const name = input.name?.trim() || null;
  if (name !== null && [...name].length > MAX_NAME_LENGTH) {
    return failure({ reason: 'NAME_TOO_LONG', field: 'name' });
  }

  const roles: Role[] = deps.settings.adminEmails.has(email) ? ['USER', 'ADMIN'] : ['USER'];
  const user: UserRecord = {
    id: randomUUID(),
    email,
    name,
    passwordHash: await deps.passwords.hash(input.password),
    roles,
    createdAt: deps.clock.now(),
    emailVerified: false,
    disabledAt: null,
  };
  const session = newSessionFor(deps, user, client);
  const event = stampEvent(deps, client, {
    type: 'SIGN_UP',
    userId: user.id,
    sessionId: session.id,
  });
  // The verification mail commits with the account: no account is left without its link.
  const verification = mailedLink(deps, user, 'verify_email', 'verify_email', email);
  const links = { tokens: [verification.record], mails: [verification.mail] };
  const sent = stampEvent(deps, client, {
    type: 'EMAIL_VERIFICATION_SENT',
    userId: user.id,
    sessionId: session.id,
  });
  const { sessions, users } = deps.store;
  const account = await settleSessionWrite(
    sessions,
    { sessionId: session.id, refreshJti: session.currentRefreshJti },
    users.insertWithSession(user, session, [event, sent], links),
    (stored) => ({ user, session: stored }),
  );
  if (account === null) return failure({ reason: 'EMAIL_TAKEN', field: 'email' });
  await announceStoredEvent(deps, event, 0);
  await announceStoredEvent(deps, sent, 0);
  deps.mailQueued?.();
  return success(await grantFor(deps, account.session, account.user));
}
