import type { AuthenticationFailure } from '../../errors.js';
import type { SessionRecord } from '../ports/records.js';

/**
 * Decides whether a session may still be used by a token issued to `userId`.
 * Returns null when it is live; otherwise the reason to refuse the token.
 */
export function findSessionFailure(
  session: SessionRecord | null,
  userId: string,
  now: number,
): AuthenticationFailure | null {
  // A genuine token whose session no longer exists belongs to a session that has ended.
  if (session === null) return 'SESSION_REVOKED';
  // Our signature on a token naming someone else's session means the token is not to be trusted.
  if (session.userId !== userId) return 'TOKEN_INVALID';
  if (session.revokedAt !== null) return 'SESSION_REVOKED';
  // Tokens never outlive their session, so a session past its expiry looks like an expired token.
  if (now >= session.expiresAt || now >= session.idleExpiresAt) return 'TOKEN_EXPIRED';
  // A session that was asked for a second factor and did not prove one in time is over (its
  // idle expiry is capped at the deadline too; this holds should a write have missed it).
  if (session.stepUpDeadline !== null && now >= session.stepUpDeadline) return 'TOKEN_EXPIRED';
  return null;
}
