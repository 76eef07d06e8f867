import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent, stampEvent } from './events/record-event.js';
import { hashRecoveryCode, normaliseRecoveryCode } from './factors/recovery-codes.js';
import { stepUpOf } from './factors/step-up.js';
import { grantOfStepUp, settleStepUp } from './factors/step-up-grant.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { newMail } from './recovery/queue-mail.js';
import type { AuthGrant } from './sessions/grant.js';
import type { Viewer } from './sessions/viewer.js';

/**
 * Steps the viewer's session up to assurance 2 with a recovery code, as verifyTotp does with a
 * TOTP code (`amr` gains `otp`: a look-up secret is a one-time password; the audit log says
 * RECOVERY_CODE_USED). The code is used up in one statement, so of concurrent uses exactly one
 * succeeds. It also lifts a TOTP lock, and queues a notice saying how many codes remain.
 * Failures count against RATE_LIMIT_MFA_ACCOUNT but never towards the TOTP lock, so this way out
 * stays open.
 */
export async function verifyRecoveryCode(
  deps: AuthDeps,
  viewer: Viewer,
  code: string,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'verifyRecoveryCode',
    [['mfaPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const normalised = normaliseRecoveryCode(code);
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (normalised !== null) {
    const stepUp = stepUpOf(deps, viewer, 'otp');
    const event = stampEvent(deps, client, {
      type: 'RECOVERY_CODE_USED',
      userId: user.id,
      sessionId: viewer.sessionId,
    });
    const use = {
      userId: user.id,
      codeHash: hashRecoveryCode(normalised),
      stepUp,
      notice: newMail(deps, 'recovery_code_used', user.email, user.id, {}),
    };
    const used = await settleStepUp(deps, stepUp, deps.store.factors.useRecoveryCode(use, event));
    if (used.outcome !== 'rejected') {
      const granted = await grantOfStepUp(deps, stepUp, used, event);
      if (granted.ok) deps.mailQueued?.();
      return granted;
    }
  }
  await recordEvent(deps, client, {
    type: 'MFA_FAILED',
    userId: user.id,
    sessionId: viewer.sessionId,
    detail: 'RECOVERY_CODE_INVALID',
  });
  return failure({ reason: 'INVALID_CODE', field: 'code' });
}
