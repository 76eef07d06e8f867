import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, recordRevocationEvent, stampEvent } from './events/record-event.js';
import type { SessionRecord } from './ports/records.js';
import type { Viewer } from './sessions/viewer.js';

/** The viewer's live sessions, most recently used first. */
export function listSessions(deps: AuthDeps, viewer: Viewer): Promise<SessionRecord[]> {
  return deps.store.sessions.listLiveForUser(viewer.userId, deps.clock.now());
}

/**
 * Ends one of the viewer's own sessions. An id that is unknown, already ended or another
 * user's all give false, so the answer reveals nothing about other users' sessions. The
 * revocation and its SESSION_REVOKED event commit together; none is recorded for false.
 */
export async function revokeOwnSession(
  deps: AuthDeps,
  viewer: Viewer,
  sessionId: string,
  client: ClientInfo,
): Promise<boolean> {
  const event = stampEvent(deps, client, {
    type: 'SESSION_REVOKED',
    userId: viewer.userId,
    sessionId,
    detail: 'USER',
  });
  const now = deps.clock.now();
  const { sessions } = deps.store;
  const revoked = await sessions.revoke(sessionId, 'revoked_by_user', now, viewer.userId, event);
  if (revoked) await announceStoredEvent(deps, event, 1);
  return revoked;
}

/**
 * An admin ends every live session of a user; returns how many were ended. The revocation and
 * its SESSION_REVOKED event commit together.
 */
export async function revokeUserSessions(
  deps: AuthDeps,
  admin: Viewer,
  userId: string,
  client: ClientInfo,
): Promise<number> {
  const event = stampEvent(deps, client, {
    type: 'SESSION_REVOKED',
    userId,
    actorId: admin.userId,
    detail: 'ADMIN',
  });
  const now = deps.clock.now();
  const revokedSessions = await deps.store.sessions.revokeAllForUser(
    userId,
    'revoked_by_admin',
    now,
    undefined,
    event,
  );
  await recordRevocationEvent(deps, event, revokedSessions);
  return revokedSessions;
}
