import type { ForbiddenFailure } from '../../errors.js';
import type { AuthDeps } from '../deps.js';
import type { AuthMethod } from '../ports/records.js';
import type { SessionStepUp } from '../ports/step-up.js';
import type { Viewer } from '../sessions/viewer.js';
import { createRandomId } from '../tokens/token-pair.js';

/**
 * How the viewer's session is upgraded once it proved `method`: assurance 2, the method added to
 * those the session proved before, a new refresh token (no grace for the old one) and a fresh
 * idle expiry.
 */
export function stepUpOf(deps: AuthDeps, viewer: Viewer, method: AuthMethod): SessionStepUp {
  const now = deps.clock.now();
  return {
    sessionId: viewer.sessionId,
    userId: viewer.userId,
    authMethods: [...new Set([...viewer.assurance.methods, method])],
    nextRefreshJti: createRandomId(),
    now,
    idleExpiresAt: now + deps.settings.lifetimes.refreshTokenTtl * 1000,
  };
}

/**
 * MFA_REQUIRED unless the viewer's token is at assurance 2 or the account has no confirmed
 * factor to prove. Read from the store, not from the token's `no_mfa` scope, so a factor
 * confirmed a moment ago counts.
 */
export async function findAssuranceFailure(
  deps: Pick<AuthDeps, 'store'>,
  viewer: Viewer,
): Promise<ForbiddenFailure | null> {
  if (viewer.assurance.level === 2) return null;
  const standing = await deps.store.factors.standing(viewer.userId);
  return standing.confirmedFactors === 0 ? null : { forbidden: 'MFA_REQUIRED' };
}

/**
 * REAUTHENTICATION_REQUIRED unless the viewer's `auth_time` is within REAUTH_MAX_AGE: a stolen
 * access token alone cannot remove a factor or mint recovery codes.
 */
export function findReauthenticationFailure(
  deps: Pick<AuthDeps, 'clock' | 'settings'>,
  viewer: Viewer,
): ForbiddenFailure | null {
  const ageSeconds = deps.clock.now() / 1000 - viewer.assurance.authTime;
  return ageSeconds <= deps.settings.mfa.reauthMaxAge
    ? null
    : { forbidden: 'REAUTHENTICATION_REQUIRED' };
}
