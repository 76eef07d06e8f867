import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordRevocationEvent, stampEvent } from './events/record-event.js';
import type { WriteEvent } from './ports/store.js';
import type { Viewer } from './sessions/viewer.js';

export const LOGOUT_SCOPES = ['CURRENT', 'OTHERS', 'ALL'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

/**
 * Revokes the caller's current session, their other sessions, or all of them. The access and
 * refresh tokens of a revoked session are refused from the next request on.
 * Returns how many sessions this call revoked. The revocation and its LOGOUT event commit
 * together; a retry after an error answer revokes what is left and records that.
 */
export async function logOut(
  deps: AuthDeps,
  viewer: Viewer,
  scope: LogoutScope,
  client: ClientInfo,
): Promise<number> {
  const event = stampEvent(deps, client, {
    type: 'LOGOUT',
    userId: viewer.userId,
    sessionId: viewer.sessionId,
    detail: scope,
  });
  const revokedSessions = await revokeScope(deps, viewer, scope, event);
  await recordRevocationEvent(deps, event, revokedSessions);
  return revokedSessions;
}

async function revokeScope(
  deps: AuthDeps,
  viewer: Viewer,
  scope: LogoutScope,
  event: WriteEvent,
): Promise<number> {
  const { sessions } = deps.store;
  const { userId, sessionId } = viewer;
  const now = deps.clock.now();
  switch (scope) {
    case 'CURRENT':
      return (await sessions.revoke(sessionId, 'logout', now, undefined, event)) ? 1 : 0;
    case 'OTHERS':
      return sessions.revokeAllForUser(userId, 'logout', now, sessionId, event);
    case 'ALL':
      return sessions.revokeAllForUser(userId, 'logout', now, undefined, event);
  }
}
