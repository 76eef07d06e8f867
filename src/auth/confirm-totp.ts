import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent, stampEvent } from './events/record-event.js';
import { confirmationOf, findActivated } from './factors/activation.js';
import type { MfaConfirmation } from './factors/mfa-confirmation.js';
import { createRecoveryCodes, hashRecoveryCodes } from './factors/recovery-codes.js';
import { stepUpOf } from './factors/step-up.js';
import { matchTotpStep } from './factors/totp.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { newMail } from './recovery/queue-mail.js';
import { findSessionFailure } from './sessions/session-state.js';
import { settleWrite } from './sessions/settle-commit.js';
import type { Viewer } from './sessions/viewer.js';

export interface ConfirmTotpInput {
  readonly factorId: string;
  readonly code: string;
}

type ConfirmFailure = AuthenticationFailure | InputFailure | RateLimitFailure;

/**
 * Activates the viewer's pending TOTP factor once `code` proves the user holds its secret. In
 * one transaction: the factor is confirmed (its step recorded, so the same code cannot then step
 * up another session), this session reaches assurance 2 with a new refresh token (no grace for
 * the old one), every other session at assurance 1 is restricted with MFA_REQUIRED, 10 recovery
 * codes are stored when this is the first factor, and a notice mail is queued.
 */
export async function confirmTotp(
  deps: AuthDeps,
  viewer: Viewer,
  input: ConfirmTotpInput,
  client: ClientInfo,
): Promise<Result<MfaConfirmation, ConfirmFailure>> {
  const { store, clock } = deps;
  const limited = await checkRateLimits(
    deps,
    client,
    'confirmTotp',
    [['mfaPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const factor = await store.factors.findById(input.factorId);
  if (
    factor === null ||
    factor.userId !== viewer.userId ||
    factor.type !== 'TOTP' ||
    factor.confirmedAt !== null ||
    factor.sealedSecret === null
  ) {
    return failure({ reason: 'FACTOR_NOT_FOUND', field: 'factorId' });
  }
  const now = clock.now();
  if (factor.expiresAt !== null && now >= factor.expiresAt) {
    return failure({ reason: 'FACTOR_EXPIRED', field: 'factorId' });
  }
  const step = matchTotpStep(deps.secrets.open(factor.sealedSecret, factor.id), input.code, now);
  if (step === null) {
    await recordEvent(deps, client, {
      type: 'MFA_FAILED',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      detail: 'CONFIRM_INVALID_CODE',
    });
    return failure({ reason: 'INVALID_CODE', field: 'code' });
  }
  const user = await store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');

  const recoveryCodes = createRecoveryCodes();
  const stepUp = stepUpOf(deps, viewer, 'otp');
  const event = stampEvent(deps, client, {
    type: 'MFA_ENROLLED',
    userId: user.id,
    sessionId: viewer.sessionId,
    detail: 'TOTP',
  });
  const confirmation = {
    factorId: factor.id,
    step,
    stepUp,
    recoveryCodeHashes: hashRecoveryCodes(recoveryCodes),
    otherSessionsDeadline: now + deps.settings.mfa.challengeTtl * 1000,
    notice: newMail(deps, 'mfa_enrolled', user.email, user.id, {
      factorName: factor.name ?? 'TOTP',
    }),
  };
  const result = await settleWrite(store.factors.confirm(user.id, confirmation, event), () =>
    findActivated(deps, factor.id, stepUp),
  );
  if (result.outcome !== 'confirmed') {
    if (result.outcome !== 'session_gone') {
      const reason = result.outcome === 'expired' ? 'FACTOR_EXPIRED' : 'FACTOR_NOT_FOUND';
      return failure({ reason, field: 'factorId' });
    }
    const session = await store.sessions.findById(viewer.sessionId);
    return failure(findSessionFailure(session, viewer.userId, clock.now()) ?? 'SESSION_REVOKED');
  }
  return success(await confirmationOf(deps, result, recoveryCodes, user, event));
}
