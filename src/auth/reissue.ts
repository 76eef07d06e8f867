import type { AuthenticationFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent } from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import type { SessionRecord } from './ports/records.js';
import type { AuthGrant } from './sessions/grant.js';
import { findSessionFailure } from './sessions/session-state.js';
import { createRandomId, issueTokenPair } from './tokens/token-pair.js';
import type { VerifiedToken } from './tokens/token-types.js';

/**
 * Rotates a verified refresh token: returns a new pair for the same session and retires the
 * presented refresh token.
 *
 * - The rotation is one conditional write, so of many concurrent calls with the same token
 *   exactly one rotates.
 * - A duplicate of the just-retired token within REFRESH_REUSE_INTERVAL of its rotation (another
 *   tab, a retried request, the losers of that race) gets the session's current pair: a refresh token for the same
 *   `jti` and claims the winner got (byte-identical with EdDSA), so the lineage does not fork.
 * - Any other retired token is reuse: the whole session is revoked, its newest refresh token and
 *   its access tokens with it, and the answer is REFRESH_TOKEN_REUSED.
 *
 * Each call counts against the client's reissue limit.
 */
export async function reissueTokens(
  deps: AuthDeps,
  token: VerifiedToken,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure | RateLimitFailure>> {
  const { store, clock, settings } = deps;
  const limited = await checkRateLimits(deps, client, 'reissue', ['reissuePerIp'], token.userId);
  if (limited !== null) return failure(limited);
  const now = clock.now();
  const rotated = await store.sessions.rotateRefreshToken({
    sessionId: token.sessionId,
    userId: token.userId,
    presentedJti: token.tokenId,
    nextJti: createRandomId(),
    now,
    idleTimeout: settings.lifetimes.refreshTokenTtl * 1000,
  });
  if (rotated !== null) return grantFor(deps, rotated, client, 'ROTATED');

  // Nothing was written. Work out why from the session as it is now.
  const session = await store.sessions.findById(token.sessionId);
  if (session === null) return failure('SESSION_REVOKED');
  if (session.userId !== token.userId) return failure('TOKEN_INVALID');

  const isCurrent = token.tokenId === session.currentRefreshJti;
  const interval = settings.lifetimes.refreshReuseInterval;
  if (isCurrent || isWithinReuseInterval(session, token, now, interval)) {
    const sessionFailure = findSessionFailure(session, token.userId, now);
    if (sessionFailure !== null) return failure(sessionFailure);
    if (isCurrent) {
      // The conditional write matches a live session holding this jti, and jtis never return.
      throw new Error(
        `Rotating the current refresh token of live session ${session.id} wrote nothing.`,
      );
    }
    return grantFor(deps, session, client, 'GRACE');
  }

  // A retired refresh token outside the grace interval: someone kept a copy. End the session.
  const revoked = await store.sessions.revoke(session.id, 'refresh_token_reused', now);
  await recordEvent(deps, client, {
    type: 'REFRESH_TOKEN_REUSED',
    userId: session.userId,
    sessionId: session.id,
    revokedSessions: revoked ? 1 : 0,
  });
  return failure('REFRESH_TOKEN_REUSED');
}

function isWithinReuseInterval(
  session: SessionRecord,
  token: VerifiedToken,
  now: number,
  intervalSeconds: number,
): boolean {
  return (
    token.tokenId === session.previousRefreshJti && now - session.rotatedAt < intervalSeconds * 1000
  );
}

/** `ROTATED` for a rotation, `GRACE` for a duplicate answered with the current pair. */
async function grantFor(
  deps: AuthDeps,
  session: SessionRecord,
  client: ClientInfo,
  detail: 'ROTATED' | 'GRACE',
): Promise<Result<AuthGrant, AuthenticationFailure>> {
  const user = await deps.store.users.findById(session.userId);
  if (user === null) return failure('SESSION_REVOKED');
  await recordEvent(deps, client, {
    type: 'REISSUE',
    userId: user.id,
    sessionId: session.id,
    detail,
  });
  // Roles are read afresh, so a role change reaches the next access token.
  return success({
    tokens: await issueTokenPair(deps, session, user),
    user,
    sessionId: session.id,
  });
}
