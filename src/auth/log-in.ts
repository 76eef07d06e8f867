import type { AuthenticationFailure, InputFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { isValidEmail, normaliseEmail } from './email.js';
import { isPasswordOversized } from './passwords.js';
import { startSession } from './start-session.js';
import type { AuthDeps, AuthGrant, ClientInfo } from './types.js';

export interface LogInInput {
  readonly email: string;
  readonly password: string;
}

/**
 * Checks an email and password and opens a session.
 *
 * Fails with INVALID_CREDENTIALS without saying which of the two was wrong. An unknown email
 * still costs one Argon2 verification, so the answer and its timing match a wrong password.
 * An oversized password is refused before any hashing (it reveals nothing about the account).
 */
export async function logIn(
  deps: AuthDeps,
  input: LogInInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure>> {
  if (isPasswordOversized(input.password)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'password' });
  }
  const email = normaliseEmail(input.email);
  const user = isValidEmail(email) ? await deps.store.users.findByEmail(email) : null;
  if (user === null) {
    await deps.passwords.verifyDummy(input.password);
    return failure('INVALID_CREDENTIALS');
  }
  if (!(await deps.passwords.verify(user.passwordHash, input.password))) {
    return failure('INVALID_CREDENTIALS');
  }
  if (deps.passwords.needsRehash(user.passwordHash)) {
    // Upgrade hashes made with older parameters while the plaintext is at hand.
    await deps.store.users.updatePasswordHash(user.id, await deps.passwords.hash(input.password));
  }
  return success(await startSession(deps, user, client));
}
