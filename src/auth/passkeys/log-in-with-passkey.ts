import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import { isValidEmail, normaliseEmail } from '../accounts/email.js';
import type { ClientInfo } from '../client/client-info.js';
import type { AuthDeps } from '../deps.js';
import { recordEvent } from '../events/record-event.js';
import { checkRateLimits } from '../limits/check-rate-limits.js';
import type { AuthGrant } from '../sessions/grant.js';
import { startSession } from '../sessions/start-session.js';
import { checkAssertion } from './assertion.js';
import {
  issueAssertionChallenge,
  type PasskeyChallenge,
  type PasskeyResponseInput,
  takeChallenge,
} from './challenges.js';
import { decoyCredentials } from './decoy-credentials.js';
import { type CredentialDescriptor, descriptorsOf } from './webauthn.js';

type LoginFailure = AuthenticationFailure | InputFailure | RateLimitFailure;

/** A passkey login proves possession and user verification: assurance 2 without a password. */
const PASSKEY_PROOF = { assuranceLevel: 2, authMethods: ['hwk'] } as const;

/**
 * Starts a passkey login. Without `email` the browser offers the passkeys it holds for this RP
 * (a discoverable-credential login). With one, `allowCredentials` names the account's passkeys,
 * or made-up ones when the email is unknown or has none, so the answer tells nothing.
 */
export async function startPasskeyLogin(
  deps: AuthDeps,
  email: string | null,
  client: ClientInfo,
): Promise<Result<PasskeyChallenge, RateLimitFailure | InputFailure>> {
  const limited = await checkRateLimits(deps, client, 'startPasskeyLogin', ['passkeyPerIp']);
  if (limited !== null) return failure(limited);
  let allow: CredentialDescriptor[] = [];
  if (email !== null) {
    const normalised = normaliseEmail(email);
    if (!isValidEmail(normalised)) return failure({ reason: 'INVALID_EMAIL', field: 'email' });
    const user = await deps.store.users.findByEmail(normalised);
    allow = descriptorsOf(user === null ? [] : await deps.store.passkeys.listByUser(user.id));
    if (allow.length === 0) allow = decoyCredentials(deps, normalised);
  }
  return success(await issueAssertionChallenge(deps, 'login', null, allow));
}

/**
 * Finishes a passkey login: the challenge is used up, the assertion verified (user
 * verification required), the counter moved forward, and a session opened at assurance 2 with
 * `amr` ["hwk"]; no TOTP is asked for. Every refusal is INVALID_CREDENTIALS, as for a wrong
 * password, and is audited as PASSKEY_REJECTED; a disabled account's valid passkey gets
 * ACCOUNT_DISABLED, as its correct password does.
 */
export async function finishPasskeyLogin(
  deps: AuthDeps,
  input: PasskeyResponseInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, LoginFailure>> {
  const limited = await checkRateLimits(deps, client, 'finishPasskeyLogin', ['passkeyPerIp']);
  if (limited !== null) return failure(limited);
  const challenge = await takeChallenge(deps, input.challengeId, 'login', null);
  const checked = await checkAssertion(deps, challenge, input.response, null);
  if (checked.outcome === 'rejected') {
    await recordEvent(deps, client, {
      type: 'PASSKEY_REJECTED',
      userId: checked.passkey?.userId ?? null,
      detail: `LOGIN_${checked.detail}`,
    });
    return failure('INVALID_CREDENTIALS');
  }
  const { passkey, use } = checked;
  const user = await deps.store.users.findById(passkey.userId);
  if (user === null) return failure('INVALID_CREDENTIALS');
  if (user.disabledAt !== null) {
    await recordEvent(deps, client, {
      type: 'LOGIN_FAILED',
      userId: user.id,
      detail: 'ACCOUNT_DISABLED',
    });
    return failure('ACCOUNT_DISABLED');
  }
  if (!(await deps.store.passkeys.recordUse(use))) {
    // Another assertion of this passkey moved the counter first.
    await recordEvent(deps, client, {
      type: 'PASSKEY_REJECTED',
      userId: user.id,
      detail: 'LOGIN_COUNTER_RACE',
    });
    return failure('INVALID_CREDENTIALS');
  }
  const event = { type: 'PASSKEY_LOGIN', userId: user.id, detail: passkey.id } as const;
  const grant = await startSession(deps, user, client, event, PASSKEY_PROOF);
  if (grant === null) return failure('ACCOUNT_DISABLED');
  return success(grant);
}
