import type { AuthenticationFailure } from '../errors.js';
import { type Result, success } from '../result.js';
import type { AuthDeps } from './deps.js';
import { SESSION_RESTRICTIONS, type UserRecord } from './ports/records.js';
import type { Viewer } from './sessions/viewer.js';
import { readBearerToken } from './tokens/bearer.js';
import type { VerifiedToken } from './tokens/token-types.js';
import { type VerifiedTokenCache, verifyTokenWithCache } from './tokens/verified-token-cache.js';
import { verifyToken } from './tokens/verify-token.js';

/**
 * Authenticates a request from its `Authorization` header value: a verified access token
 * (see {@link verifyToken}) whose session is live, that is not revoked and within its idle and
 * absolute lifetimes. Liveness is checked on every request by `deps.liveness`: the store itself,
 * or a cache that revocations from every instance reach within a second (see session-liveness).
 *
 * `verifiedTokens` (null for none) spares the signature check for a token seen before; the
 * session's liveness is checked regardless.
 *
 * Fails with the reason a client acts on: TOKEN_EXPIRED means reissue, anything else log in.
 */
export async function authenticateAccessToken(
  deps: AuthDeps,
  authorization: string | null,
  verifiedTokens: VerifiedTokenCache | null,
  onUser?: (user: UserRecord) => void,
): Promise<Result<Viewer, AuthenticationFailure>> {
  const bearer = readBearerToken(authorization);
  if (!bearer.ok) return bearer;
  const now = deps.clock.now();
  const { keys, settings } = deps;
  const verified =
    verifiedTokens === null
      ? await verifyToken(bearer.value, 'access', keys, settings, now)
      : await verifyTokenWithCache(verifiedTokens, bearer.value, 'access', keys, settings, now);
  if (!verified.ok) return verified;

  const { userId, sessionId, tokenId, roles, expiresAt, assurance } = verified.value;
  const session = await deps.liveness.inspect(sessionId, userId, now);
  if (!session.ok) return session;
  const { user } = session.value;
  if (user !== null) onUser?.(user);
  // The token's restrictions hold until a reissue; the session's from this request on.
  const held = session.value.restrictions;
  const restrictions = SESSION_RESTRICTIONS.filter(
    (restriction) =>
      verified.value.restrictions.includes(restriction) || held.includes(restriction),
  );
  return success({
    userId,
    sessionId,
    tokenId,
    roles,
    restrictions,
    assurance,
    accessTokenExpiresAt: expiresAt,
  });
}

/**
 * Verifies the refresh token in an `Authorization` header, statelessly: signature, claims and
 * type. Whether it is still the session's current token is decided by the rotation itself.
 */
export async function verifyRefreshToken(
  deps: AuthDeps,
  authorization: string | null,
): Promise<Result<VerifiedToken, AuthenticationFailure>> {
  const bearer = readBearerToken(authorization);
  if (!bearer.ok) return bearer;
  return verifyToken(bearer.value, 'refresh', deps.keys, deps.settings, deps.clock.now());
}
