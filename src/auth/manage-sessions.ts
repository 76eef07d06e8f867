import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent } from './events/record-event.js';
import type { SessionRecord } from './ports/records.js';
import type { Viewer } from './sessions/viewer.js';

/** The viewer's live sessions, most recently used first. */
export function listSessions(deps: AuthDeps, viewer: Viewer): Promise<SessionRecord[]> {
  return deps.store.sessions.listLiveForUser(viewer.userId, deps.clock.now());
}

/**
 * Ends one of the viewer's own sessions. An id that is unknown, already ended or another
 * user's all give false, so the answer reveals nothing about other users' sessions.
 */
export async function revokeOwnSession(
  deps: AuthDeps,
  viewer: Viewer,
  sessionId: string,
  client: ClientInfo,
): Promise<boolean> {
  const revoked = await deps.store.sessions.revoke(
    sessionId,
    'revoked_by_user',
    deps.clock.now(),
    viewer.userId,
  );
  if (revoked) {
    await recordEvent(deps, client, {
      type: 'SESSION_REVOKED',
      userId: viewer.userId,
      sessionId,
      detail: 'USER',
      revokedSessions: 1,
    });
  }
  return revoked;
}

/** An admin ends every live session of a user; returns how many were ended. */
export async function revokeUserSessions(
  deps: AuthDeps,
  admin: Viewer,
  userId: string,
  client: ClientInfo,
): Promise<number> {
  const revokedSessions = await deps.store.sessions.revokeAllForUser(
    userId,
    'revoked_by_admin',
    deps.clock.now(),
  );
  await recordEvent(deps, client, {
    type: 'SESSION_REVOKED',
    userId,
    actorId: admin.userId,
    detail: 'ADMIN',
    revokedSessions,
  });
  return revokedSessions;
}
