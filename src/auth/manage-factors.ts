import type { ForbiddenFailure, InputFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { createRecoveryCodes, hashRecoveryCodes } from './factors/recovery-codes.js';
import { findReauthenticationFailure } from './factors/step-up.js';
import type { MfaFactorRecord, MfaStanding } from './ports/factor-store.js';
import type { MailPayload, NewOutboxMail } from './ports/link-records.js';
import { newMail } from './recovery/queue-mail.js';
import type { Viewer } from './sessions/viewer.js';

// The viewer's factors and recovery codes, and the operator's reset. Assurance 2 (when the
// account has a factor) is the API's to demand before these run; the recent authentication
// (REAUTH_MAX_AGE) is checked here.

/** The user's confirmed factors, oldest first (a pending one is not a factor yet). */
export function listFactors(deps: AuthDeps, userId: string): Promise<MfaFactorRecord[]> {
  return deps.store.factors.listConfirmed(userId);
}

export function mfaStanding(deps: AuthDeps, userId: string): Promise<MfaStanding> {
  return deps.store.factors.standing(userId);
}

/**
 * Replaces every recovery code of the viewer's account with 10 fresh ones, returned this once.
 * NO_MFA_FACTOR when the account has no confirmed factor.
 */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  viewer: Viewer,
  client: ClientInfo,
): Promise<Result<string[], InputFailure | ForbiddenFailure>> {
  const standing = await deps.store.factors.standing(viewer.userId);
  if (standing.confirmedFactors === 0) return failure(NO_MFA_FACTOR);
  const stale = findReauthenticationFailure(deps, viewer);
  if (stale !== null) return failure(stale);
  const codes = createRecoveryCodes();
  const event = stampEvent(deps, client, {
    type: 'RECOVERY_CODES_REGENERATED',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
  });
  const notice = await noticeTo(deps, viewer.userId, 'recovery_codes_regenerated', {});
  const replaced = await deps.store.factors.replaceRecoveryCodes(
    viewer.userId,
    hashRecoveryCodes(codes),
    event,
    notice,
  );
  if (!replaced) return failure(NO_MFA_FACTOR); // the last factor went meanwhile
  await announceStoredEvent(deps, event, 0);
  deps.mailQueued?.();
  return success(codes);
}

const NO_MFA_FACTOR: InputFailure = { reason: 'NO_MFA_FACTOR', field: 'factors' };

/**
 * Removes one of the viewer's factors, confirmed or pending. Removing the last confirmed one
 * also removes the recovery codes and lifts MFA_REQUIRED from the account's sessions: there is
 * nothing left to prove. False when the viewer has no factor with this id.
 */
export async function removeFactor(
  deps: AuthDeps,
  viewer: Viewer,
  factorId: string,
  client: ClientInfo,
): Promise<Result<boolean, ForbiddenFailure>> {
  const stale = findReauthenticationFailure(deps, viewer);
  if (stale !== null) return failure(stale);
  const factor = await deps.store.factors.findById(factorId);
  if (factor === null || factor.userId !== viewer.userId) return success(false);
  const event = stampEvent(deps, client, {
    type: factor.type === 'PASSKEY' ? 'PASSKEY_REMOVED' : 'MFA_REMOVED',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: factor.type === 'PASSKEY' ? factor.id : factor.type,
  });
  // A pending factor protected nothing yet: only a confirmed one's removal is worth a mail.
  const notice =
    factor.confirmedAt === null
      ? undefined
      : await noticeTo(deps, viewer.userId, 'mfa_removed', {
          factorName: factor.name ?? (factor.type === 'PASSKEY' ? 'Passkey' : 'TOTP'),
        });
  const removal = { userId: viewer.userId, factorId, now: deps.clock.now(), notice };
  const removed = await deps.store.factors.remove(removal, event);
  if (removed) {
    await announceStoredEvent(deps, event, 0);
    deps.mailQueued?.();
  }
  return success(removed);
}

/**
 * The operator's reset (`mfa:reset`): removes every factor and recovery code of the user and
 * ends their sessions (reason `mfa_reset`), recorded as MFA_REMOVED by the operator. Null when
 * the user does not exist; otherwise how many sessions ended.
 */
export async function resetUserFactors(
  deps: Pick<AuthDeps, 'store' | 'clock' | 'events' | 'mailQueued'>,
  userId: string,
  client: ClientInfo,
): Promise<number | null> {
  const notice = await noticeTo(deps, userId, 'mfa_removed', { byOperator: 'true' });
  const event = stampEvent(deps, client, {
    type: 'MFA_REMOVED',
    userId,
    detail: 'OPERATOR_RESET',
  });
  const revoked = await deps.store.factors.resetUser(userId, deps.clock.now(), event, notice);
  if (revoked === null) return null;
  // Stored with the reset, whether or not it ended a session.
  await announceStoredEvent(deps, event, revoked);
  deps.mailQueued?.();
  return revoked;
}

/** A notice to the user's address, or none when the user is gone (the write then fails too). */
async function noticeTo(
  deps: Pick<AuthDeps, 'store' | 'clock'>,
  userId: string,
  kind: 'mfa_removed' | 'recovery_codes_regenerated',
  payload: MailPayload,
): Promise<NewOutboxMail | undefined> {
  const user = await deps.store.users.findById(userId);
  return user === null ? undefined : newMail(deps, kind, user.email, user.id, payload);
}
