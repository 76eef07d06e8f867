import type { AuthDeps, Viewer } from './types.js';

export const LOGOUT_SCOPES = ['CURRENT', 'OTHERS', 'ALL'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/**
 * Revokes the caller's current session, their other sessions, or all of them. The access and
 * refresh tokens of a revoked session are refused from the next request on.
 * Returns how many sessions this call revoked.
 */
export async function logOut(deps: AuthDeps, viewer: Viewer, scope: LogoutScope): Promise<number> {
  const { sessions } = deps.store;
  const now = deps.clock.now();
  switch (scope) {
    case 'CURRENT':
      return (await sessions.revoke(viewer.sessionId, 'logout', now)) ? 1 : 0;
    case 'OTHERS':
      return sessions.revokeAllForUser(viewer.userId, 'logout', now, viewer.sessionId);
    case 'ALL':
      return sessions.revokeAllForUser(viewer.userId, 'logout', now);
  }
}
