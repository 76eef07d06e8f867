import type { AuthDeps } from '../deps.js';
import { announceStoredEvent } from '../events/record-event.js';
import type { FactorConfirmationResult } from '../ports/factor-store.js';
import type { UserRecord } from '../ports/records.js';
import type { SessionStepUp } from '../ports/step-up.js';
import type { WriteEvent } from '../ports/write-event.js';
import { grantFor } from '../sessions/start-session.js';
import type { MfaConfirmation } from './mfa-confirmation.js';

// What a TOTP confirmation and a passkey registration share once the store has activated the
// new factor (or may have: an unanswered commit).

/**
 * Settles an activation whose commit went unanswered: it committed if the session holds the
 * refresh token it chose and the factor is there. Whether it stored the recovery codes is read
 * from the account: it did when this is the only confirmed factor.
 */
export async function findActivated(
  deps: Pick<AuthDeps, 'store'>,
  factorId: string,
  stepUp: SessionStepUp,
): Promise<FactorConfirmationResult | null> {
  const session = await deps.store.sessions.findById(stepUp.sessionId);
  if (session?.currentRefreshJti !== stepUp.nextRefreshJti) return null;
  const factor = await deps.store.factors.findById(factorId);
  if (factor === null) return null;
  const standing = await deps.store.factors.standing(session.userId);
  return {
    outcome: 'confirmed',
    factor,
    session,
    recoveryCodesStored: standing.confirmedFactors === 1,
    restrictedSessions: 0,
  };
}

/** The answer to an activation that committed, once its event is announced and its mail due. */
export async function confirmationOf(
  deps: AuthDeps,
  result: Extract<FactorConfirmationResult, { outcome: 'confirmed' }>,
  recoveryCodes: readonly string[],
  user: UserRecord,
  event: WriteEvent,
): Promise<MfaConfirmation> {
  await announceStoredEvent(deps, event, 0);
  deps.mailQueued?.();
  return {
    factor: result.factor,
    recoveryCodes: result.recoveryCodesStored ? recoveryCodes : [],
    grant: await grantFor(deps, result.session, user),
  };
}
