import type { AuthenticationFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import {
  announceStoredEvent,
  recordEvent,
  recordRevocationEvent,
  stampEvent,
} from './events/record-event.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import type { SessionRecord, UserRecord } from './ports/records.js';
import type { AuthGrant } from './sessions/grant.js';
import { findSessionFailure } from './sessions/session-state.js';
import { settleSessionWrite } from './sessions/settle-commit.js';
import { grantFor } from './sessions/start-session.js';
import { createRandomId } from './tokens/token-pair.js';
import type { VerifiedToken } from './tokens/token-types.js';

/**
 * Rotates a verified refresh token: returns a new pair for the same session and retires the
 * presented refresh token.
 *
 * - The rotation is one conditional write, so of many concurrent calls with the same token
 *   exactly one rotates.
 * - A rotation is all or nothing: the user is read before it, and the rotation and its REISSUE
 *   event commit in one transaction, after which only signing remains. So an error answer
 *   means that the presented token is still current, and a retry rotates it; a commit whose
 *   outcome is unknown is settled by reading the session again (see settleSessionWrite).
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
  // Roles are read afresh, so a role change reaches the next access token. Read before the
  // rotation, so nothing that can fail is left after its commit but signing.
  const user = await store.users.findById(token.userId);
  const now = clock.now();
  if (user?.disabledAt != null) {
    // Defence in depth: a disable ends every session in its own transaction, and no login can
    // start one for a disabled account (SessionStore.start). Should a live session of one
    // exist all the same (a hand edit of the database), it ends here, as the disable ends them.
    await store.sessions.revoke(token.sessionId, 'account_disabled', now, token.userId);
    return failure('SESSION_REVOKED');
  }
  const rotated = user === null ? null : await rotate(deps, token, user, client, now);
  if (rotated !== null) return success(rotated);

  // Nothing was written. Work out why from the session as it is now.
  const session = await store.sessions.findById(token.sessionId);
  if (session === null) return failure('SESSION_REVOKED');
  if (session.userId !== token.userId) return failure('TOKEN_INVALID');
  // The user's sessions go with the user, so this is a deletion racing with this call.
  if (user === null) return failure('SESSION_REVOKED');

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
    return graceGrant(deps, session, user, client);
  }

  // A retired refresh token outside the grace interval: someone kept a copy. End the session,
  // and record it in the same transaction.
  const reused = stampEvent(deps, client, {
    type: 'REFRESH_TOKEN_REUSED',
    userId: session.userId,
    sessionId: session.id,
  });
  const revoked = await store.sessions.revoke(
    session.id,
    'refresh_token_reused',
    now,
    undefined,
    reused,
  );
  await recordRevocationEvent(deps, reused, revoked ? 1 : 0);
  return failure('REFRESH_TOKEN_REUSED');
}

/**
 * Rotates the presented token if it is still the current one of a live session: the rotation
 * and its REISSUE event commit together. Returns the new pair, or null when nothing was written.
 */
async function rotate(
  deps: AuthDeps,
  token: VerifiedToken,
  user: UserRecord,
  client: ClientInfo,
  now: number,
): Promise<AuthGrant | null> {
  const { sessions } = deps.store;
  const nextJti = createRandomId();
  const event = stampEvent(deps, client, {
    type: 'REISSUE',
    userId: user.id,
    sessionId: token.sessionId,
    detail: 'ROTATED',
  });
  const rotation = {
    sessionId: token.sessionId,
    userId: token.userId,
    presentedJti: token.tokenId,
    nextJti,
    now,
    idleTimeout: deps.settings.lifetimes.refreshTokenTtl * 1000,
  };
  const rotated = await settleSessionWrite(
    sessions,
    { sessionId: token.sessionId, refreshJti: nextJti },
    sessions.rotateRefreshToken(rotation, event),
    (session) => session,
  );
  if (rotated === null) return null;
  await announceStoredEvent(deps, event, 0);
  return grantFor(deps, rotated, user);
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

/**
 * A duplicate within the reuse interval gets the session's current pair. Its REISSUE event is
 * the only thing it writes, and the last thing before signing.
 */
async function graceGrant(
  deps: AuthDeps,
  session: SessionRecord,
  user: UserRecord,
  client: ClientInfo,
): Promise<Result<AuthGrant, AuthenticationFailure>> {
  await recordEvent(deps, client, {
    type: 'REISSUE',
    userId: user.id,
    sessionId: session.id,
    detail: 'GRACE',
  });
  return success(await grantFor(deps, session, user));
}
