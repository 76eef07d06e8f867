import type { NewSession, Role, SessionRestriction } from '../auth/ports/records.js';

/**
 * Applies a new session's `mfaGate`, with what the session's own transaction read of its user:
 * how many confirmed factors it has and its roles. Reading them there, and not when auth/ built
 * the session, means a factor confirmed in between is never missed: the confirmation either
 * committed before (and is counted here) or locks the user row after this insert, and then
 * restricts this session with the account's other ones.
 *
 * - A session below assurance 2 of an account with a factor gets MFA_REQUIRED, and ends at the
 *   gate's deadline unless stepped up (its idle expiry capped there).
 * - A session of an account without a factor, holding one of the gate's enrolment roles, gets
 *   MFA_ENROLLMENT_REQUIRED: it may only enrol one.
 * - Without a gate the session is stored as given.
 */
export function gateSession(
  session: NewSession,
  confirmedFactors: number,
  userRoles: readonly Role[],
): NewSession {
  const gate = session.mfaGate;
  if (gate === undefined) return session;
  if (confirmedFactors > 0) {
    if (session.assuranceLevel >= 2) return session;
    return {
      ...session,
      restrictions: withRestriction(session.restrictions, 'MFA_REQUIRED'),
      stepUpDeadline: gate.challengeDeadline,
      idleExpiresAt: Math.min(session.idleExpiresAt, gate.challengeDeadline),
    };
  }
  if (userRoles.some((role) => gate.enrollmentRoles.includes(role))) {
    return {
      ...session,
      restrictions: withRestriction(session.restrictions, 'MFA_ENROLLMENT_REQUIRED'),
    };
  }
  return session;
}

function withRestriction(
  restrictions: readonly SessionRestriction[],
  added: SessionRestriction,
): SessionRestriction[] {
  return restrictions.includes(added) ? [...restrictions] : [...restrictions, added];
}
