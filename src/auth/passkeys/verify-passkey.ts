import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { ClientInfo } from '../client/client-info.js';
import type { AuthDeps } from '../deps.js';
import { recordEvent, stampEvent } from '../events/record-event.js';
import { stepUpOf } from '../factors/step-up.js';
import { grantOfStepUp, settleStepUp } from '../factors/step-up-grant.js';
import { checkRateLimits } from '../limits/check-rate-limits.js';
import type { AuthGrant } from '../sessions/grant.js';
import type { Viewer } from '../sessions/viewer.js';
import { checkAssertion } from './assertion.js';
import {
  issueAssertionChallenge,
  type PasskeyChallenge,
  type PasskeyResponseInput,
  takeChallenge,
} from './challenges.js';
import { descriptorsOf } from './webauthn.js';

type VerifyFailure = AuthenticationFailure | InputFailure | RateLimitFailure;

const REJECTED: InputFailure = { reason: 'PASSKEY_REJECTED', field: 'response' };

/**
 * Starts a step-up with one of the viewer's passkeys: a challenge bound to this session, whose
 * options name the account's passkeys. NO_PASSKEY when it has none.
 */
export async function startPasskeyVerification(
  deps: AuthDeps,
  viewer: Viewer,
  client: ClientInfo,
): Promise<Result<PasskeyChallenge, RateLimitFailure | InputFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'startPasskeyVerification',
    ['passkeyPerIp'],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const allow = descriptorsOf(await deps.store.passkeys.listByUser(viewer.userId));
  if (allow.length === 0) return failure({ reason: 'NO_PASSKEY', field: 'passkey' });
  return success(await issueAssertionChallenge(deps, 'verification', viewer, allow));
}

/**
 * Steps the viewer's session up with a passkey, as verifyTotp does with a code: a new pair for
 * the same session at assurance 2, `amr` gaining `hwk`, `auth_time` now, and the previous
 * refresh token retired with no grace. The challenge must be this session's; the passkey, the
 * viewer's. A refusal is PASSKEY_REJECTED, audited with what failed.
 */
export async function finishPasskeyVerification(
  deps: AuthDeps,
  viewer: Viewer,
  input: PasskeyResponseInput,
  client: ClientInfo,
): Promise<Result<AuthGrant, VerifyFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'finishPasskeyVerification',
    ['passkeyPerIp'],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const challenge = await takeChallenge(deps, input.challengeId, 'verification', viewer);
  const checked = await checkAssertion(deps, challenge, input.response, viewer.userId);
  if (checked.outcome === 'rejected') return reject(deps, viewer, client, checked.detail);
  const stepUp = stepUpOf(deps, viewer, 'hwk');
  const event = stampEvent(deps, client, {
    type: 'MFA_VERIFIED',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: 'PASSKEY',
  });
  const accepted = await settleStepUp(
    deps,
    stepUp,
    deps.store.passkeys.acceptStepUp(viewer.userId, checked.use, stepUp, event),
  );
  // Another assertion of this passkey moved the counter first.
  if (accepted.outcome === 'rejected') return reject(deps, viewer, client, 'COUNTER_RACE');
  return grantOfStepUp(deps, stepUp, accepted, event);
}

async function reject(
  deps: AuthDeps,
  viewer: Viewer,
  client: ClientInfo,
  detail: string,
): Promise<Result<AuthGrant, VerifyFailure>> {
  await recordEvent(deps, client, {
    type: 'PASSKEY_REJECTED',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: `VERIFICATION_${detail}`,
  });
  return failure(REJECTED);
}
