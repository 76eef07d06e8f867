import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './accounts/email.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { isPasswordOversized } from './passwords/passwords.js';
import type { AuthGrant } from './sessions/grant.js';
import { startSession } from './sessions/start-session.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
}

/**
 * Checks an email and password and opens a session.
 *
 * - Every attempt counts against the client's and the account's login limits, before anything
 *   else; success resets neither.
 * - Fails with INVALID_CREDENTIALS without saying which of the two was wrong. An unknown email
 *   still costs one Argon2 verification, so the answer and its timing match a wrong password.
 * - An oversized password is refused before any hashing (it reveals nothing about the account).
 * - An error answer means that no session was opened (see startSession).
 */
export async function logIn(
  deps: AuthDeps,
  input: LogInInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>> {
  const email = normaliseEmail(input.email);
  const limited = await checkRateLimits(deps, client, 'login', [
    'loginPerIp',
    ['loginPerAccount', email],
  ]);
  if (limited !== null) return failure(limited);
  if (isPasswordOversized(input.password)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'password' });
  }

  const user = isValidEmail(email) ? await deps.store.users.findByEmail(email) : null;
  if (user === null) {
    await deps.passwords.verifyDummy(input.password);
    await recordEvent(deps, client, { type: 'LOGIN_FAILED', detail: 'UNKNOWN_EMAIL' });
    return failure('INVALID_CREDENTIALS');
  }
  if (!(await deps.passwords.verify(user.passwordHash, input.password))) {
    await recordEvent(deps, client, {
      type: 'LOGIN_FAILED',
      userId: user.id,
      detail: 'WRONG_PASSWORD',
    });
    return failure('INVALID_CREDENTIALS');
  }
  // Only after the correct password: a wrong one says INVALID_CREDENTIALS, disabled or not.
  if (user.disabledAt !== null) {
    await recordEvent(deps, client, {
      type: 'LOGIN_FAILED',
      userId: user.id,
      detail: 'ACCOUNT_DISABLED',
    });
    return failure('ACCOUNT_DISABLED');
  }
  if (deps.passwords.needsRehash(user.passwordHash)) {
    // Upgrade hashes made with older parameters while the plaintext is at hand.
    // Only over the hash just verified: a password change committed meanwhile wins. It commits
    // on its own, before the session: should the session then fail, a retry logs in just the
    // same (the upgraded hash verifies the same password and needs no rehash).
    const upgraded = await deps.passwords.hash(input.password);
    await deps.store.users.updatePasswordHash(user.id, user.passwordHash, upgraded);
  }
  // The session and its LOGIN_SUCCEEDED event commit together.
  const grant = await startSession(deps, user, client, {
    type: 'LOGIN_SUCCEEDED',
    userId: user.id,
  });
  // Null when a disable committed after the read above: the session is stored only while the
  // account is enabled, in its own transaction (see SessionStore.start).
  if (grant === null) return failure('ACCOUNT_DISABLED');
  return success(grant);
}
