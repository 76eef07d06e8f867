import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent } from './events/record-event.js';
import type { Viewer } from './sessions/viewer.js';

export const LOGOUT_SCOPES = ['CURRENT', 'OTHERS', 'ALL'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/**
 * Revokes the caller's current session, their other sessions, or all of them. The access and
 * refresh tokens of a revoked session are refused from the next request on.
 * Returns how many sessions this call revoked.
 */
export async function logOut(
  deps: AuthDeps,
  viewer: Viewer,
  scope: LogoutScope,
  client: ClientInfo,
): Promise<number> {
  const revokedSessions = await revokeScope(deps, viewer, scope);
  await recordEvent(deps, client, {
    type: 'LOGOUT',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: scope,
    revokedSessions,
  });
  return revokedSessions;
}

async function revokeScope(deps: AuthDeps, viewer: Viewer, scope: LogoutScope): Promise<number> {
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
