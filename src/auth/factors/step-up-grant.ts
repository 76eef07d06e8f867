import type { AuthenticationFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { AuthDeps } from '../deps.js';
import { announceStoredEvent } from '../events/record-event.js';
import type { SessionStepUp, StepUpResult } from '../ports/step-up.js';
import type { WriteEvent } from '../ports/write-event.js';
import type { AuthGrant } from '../sessions/grant.js';
import { findSessionFailure } from '../sessions/session-state.js';
import { settleSessionWrite } from '../sessions/settle-commit.js';
import { grantFor } from '../sessions/start-session.js';

/**
 * Runs a step-up write and settles an unanswered commit by the refresh token it chose: the
 * session holds it only if the write committed.
 */
export function settleStepUp(
  deps: AuthDeps,
  stepUp: SessionStepUp,
  write: Promise<StepUpResult>,
): Promise<StepUpResult> {
  return settleSessionWrite(
    deps.store.sessions,
    { sessionId: stepUp.sessionId, refreshJti: stepUp.nextRefreshJti },
    write,
    (session) => ({ outcome: 'accepted', session, recoveryCodesRemaining: 0 }),
  );
}

/**
 * The new pair of a session a step-up upgraded, once its event is announced; the session's
 * failure when it ended meanwhile. `rejected` is the caller's to handle first.
 */
export async function grantOfStepUp(
  deps: AuthDeps,
  stepUp: SessionStepUp,
  result: Exclude<StepUpResult, { outcome: 'rejected' }>,
  event: WriteEvent,
): Promise<Result<AuthGrant, AuthenticationFailure>> {
  if (result.outcome !== 'accepted') {
    const session = await deps.store.sessions.findById(stepUp.sessionId);
    const ended = findSessionFailure(session, stepUp.userId, deps.clock.now());
    return failure(ended ?? 'SESSION_REVOKED');
  }
  const user = await deps.store.users.findById(stepUp.userId);
  if (user === null) return failure('SESSION_REVOKED');
  await announceStoredEvent(deps, event, 0);
  return success(await grantFor(deps, result.session, user));
}
