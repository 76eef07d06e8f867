import type {
  AuthenticationFailure,
  ForbiddenFailure,
  InputFailure,
  RateLimitFailure,
} from '../errors.js';
import { failure, type Result } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, recordEvent, stampEvent } from './events/record-event.js';
import { TOTP_LOCK_AFTER_FAILURES } from './factors/mfa-settings.js';
import { stepUpOf } from './factors/step-up.js';
import { grantOfStepUp, settleStepUp } from './factors/step-up-grant.js';
import { matchTotpStep } from './factors/totp.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import type { AuthGrant } from './sessions/grant.js';
import type { Viewer } from './sessions/viewer.js';

type VerifyFailure = AuthenticationFailure | InputFailure | RateLimitFailure | ForbiddenFailure;

const INVALID_CODE: InputFailure = { reason: 'INVALID_CODE', field: 'code' };

/**
 * Steps the viewer's session up to assurance 2 with a TOTP code: a new pair for the same
 * session, `amr` gaining `otp`, `auth_time` now, and the previous refresh token retired with no
 * grace. Works on a full session too, to refresh `auth_time` before a sensitive operation.
 *
 * - A code is accepted once: the factor's last accepted step moves forward in one conditional
 *   write, so a replay (here or on another instance) fails as INVALID_CODE.
 * - Every attempt counts against RATE_LIMIT_MFA_ACCOUNT; every wrong, stale or replayed code
 *   counts towards the lock, which TOTP_LOCK_AFTER_FAILURES consecutive ones set (MFA_LOCKED
 *   until a recovery code is used or the operator resets the account's factors).
 */
export async function verifyTotp(
  deps: AuthDeps,
  viewer: Viewer,
  code: string,
  client: ClientInfo,
): Promise<Result<AuthGrant, VerifyFailure>> {
  const { store } = deps;
  const limited = await checkRateLimits(
    deps,
    client,
    'verifyTotp',
    [['mfaPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const standing = await store.factors.standing(viewer.userId);
  if (standing.totpLockedAt !== null) return failure({ forbidden: 'MFA_LOCKED' });

  const now = deps.clock.now();
  const factors = (await store.factors.listConfirmed(viewer.userId)).filter(
    (factor) => factor.type === 'TOTP' && factor.sealedSecret !== null,
  );
  for (const factor of factors) {
    const secret = deps.secrets.open(factor.sealedSecret ?? '', factor.id);
    const step = matchTotpStep(secret, code, now);
    if (step === null) continue;
    const stepUp = stepUpOf(deps, viewer, 'otp');
    const event = stampEvent(deps, client, {
      type: 'MFA_VERIFIED',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      detail: 'TOTP',
    });
    const accepted = await settleStepUp(
      deps,
      stepUp,
      store.factors.acceptTotp(viewer.userId, { factorId: factor.id, step, stepUp }, event),
    );
    if (accepted.outcome === 'rejected') break; // a replay: the step was used already
    return grantOfStepUp(deps, stepUp, accepted, event);
  }
  return countFailure(deps, viewer, client);
}

/** Counts a failed TOTP attempt, recording MFA_FAILED, and MFA_LOCKED when it set the lock. */
async function countFailure(
  deps: AuthDeps,
  viewer: Viewer,
  client: ClientInfo,
): Promise<Result<AuthGrant, VerifyFailure>> {
  const failed = stampEvent(deps, client, {
    type: 'MFA_FAILED',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: 'TOTP_INVALID_CODE',
  });
  const counted = await deps.store.factors.recordTotpFailure(
    { userId: viewer.userId, now: deps.clock.now(), lockAfter: TOTP_LOCK_AFTER_FAILURES },
    failed,
  );
  await announceStoredEvent(deps, failed, 0);
  if (counted.lockedNow) {
    await recordEvent(deps, client, {
      type: 'MFA_LOCKED',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      detail: `${counted.totpFailures}`,
    });
  }
  return failure(INVALID_CODE);
}
