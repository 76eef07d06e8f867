import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listSessions,
  revokeOwnSession,
  revokeUserSessions,
} from '../../src/auth/manage-sessions.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectSuccess,
  openSession,
  openSessions,
  type TestAuthDeps,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';

const HOUR = 3600;

let deps: TestAuthDeps;

beforeEach(async () => {
  deps = await createTestAuthDeps();
});

afterEach(() => deps.close());

function first(grants: AuthGrant[]): AuthGrant {
  const grant = grants[0];
  if (grant === undefined) throw new Error('no session');
  return grant;
}

async function viewerWithSessions(id: string, count: number) {
  const { grants } = await openSessions(deps, id, count);
  return { grants, viewer: await viewerOf(deps, first(grants)) };
}

describe('listSessions', () => {
  it('lists the viewer’s live sessions only, most recently used first', async () => {
    const { grants, viewer } = await viewerWithSessions('alice', 3);
    await openSessions(deps, 'bob', 1);
    const [, used, ended] = grants;
    if (used === undefined || ended === undefined) throw new Error('missing sessions');
    deps.clock.advanceSeconds(HOUR);
    const refresh = await verifiedRefreshToken(deps, used.tokens.refreshToken);
    expectSuccess(await reissueTokens(deps, refresh, CLIENT));
    await revokeOwnSession(deps, viewer, ended.sessionId, CLIENT);

    const listed = await listSessions(deps, viewer);
    expect(listed.map((session) => session.id)).toEqual([used.sessionId, viewer.sessionId]);
  });

  it('leaves out a session past its idle expiry', async () => {
    const { grants } = await openSessions(deps, 'alice', 1);
    deps.clock.advanceSeconds(24 * HOUR);
    const recent = await openSession(deps, first(grants).user);
    const viewer = await viewerOf(deps, recent);
    deps.clock.advanceSeconds(deps.settings.lifetimes.refreshTokenTtl - 24 * HOUR);
    const listed = await listSessions(deps, viewer);
    expect(listed.map((session) => session.id)).toEqual([recent.sessionId]);
  });
});

describe('revokeOwnSession', () => {
  it('ends one of the viewer’s sessions as revoked_by_user and records it', async () => {
    const { grants, viewer } = await viewerWithSessions('alice', 2);
    const other = grants[1]?.sessionId ?? '';
    expect(await revokeOwnSession(deps, viewer, other, CLIENT)).toBe(true);
    expect(await deps.store.sessions.findById(other)).toMatchObject({
      revokedAt: deps.clock.now(),
      revokedReason: 'revoked_by_user',
    });
    expect((await deps.store.sessions.findById(viewer.sessionId))?.revokedAt).toBeNull();
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'SESSION_REVOKED',
        userId: viewer.userId,
        sessionId: other,
        detail: 'USER',
        revokedSessions: 1,
      }),
    ]);
  });

  it('answers false, touching nothing and recording nothing, for another user’s session', async () => {
    const { viewer } = await viewerWithSessions('alice', 1);
    const bob = first((await openSessions(deps, 'bob', 1)).grants);
    expect(await revokeOwnSession(deps, viewer, bob.sessionId, CLIENT)).toBe(false);
    expect((await deps.store.sessions.findById(bob.sessionId))?.revokedAt).toBeNull();
    expect(deps.events.recorded).toEqual([]);
  });

  it('answers false for an unknown id and for a session already ended', async () => {
    const { grants, viewer } = await viewerWithSessions('alice', 2);
    const other = grants[1]?.sessionId ?? '';
    expect(await revokeOwnSession(deps, viewer, 'no-such-session', CLIENT)).toBe(false);
    await revokeOwnSession(deps, viewer, other, CLIENT);
    const endedAt = deps.clock.now();
    deps.clock.advanceSeconds(60);
    expect(await revokeOwnSession(deps, viewer, other, CLIENT)).toBe(false);
    expect((await deps.store.sessions.findById(other))?.revokedAt).toBe(endedAt);
    expect(deps.events.types()).toEqual(['SESSION_REVOKED']);
  });
});

describe('revokeUserSessions', () => {
  async function adminAndAlice(): Promise<{ admin: Viewer; alice: AuthGrant[] }> {
    const { viewer: admin } = await viewerWithSessions('admin', 1);
    return { admin, alice: (await openSessions(deps, 'alice', 2)).grants };
  }

  it('ends every live session of the user as revoked_by_admin, naming the admin', async () => {
    const { admin, alice } = await adminAndAlice();
    const userId = first(alice).user.id;
    expect(await revokeUserSessions(deps, admin, userId, CLIENT)).toBe(2);
    for (const grant of alice) {
      expect((await deps.store.sessions.findById(grant.sessionId))?.revokedReason).toBe(
        'revoked_by_admin',
      );
    }
    expect((await deps.store.sessions.findById(admin.sessionId))?.revokedAt).toBeNull();
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'SESSION_REVOKED',
        userId,
        actorId: admin.userId,
        sessionId: null,
        detail: 'ADMIN',
        revokedSessions: 2,
      }),
    ]);
  });

  it('records the attempt even when there was nothing left to end', async () => {
    const { admin, alice } = await adminAndAlice();
    const userId = first(alice).user.id;
    await revokeUserSessions(deps, admin, userId, CLIENT);
    expect(await revokeUserSessions(deps, admin, userId, CLIENT)).toBe(0);
    expect(deps.events.ofType('SESSION_REVOKED').map((event) => event.revokedSessions)).toEqual([
      2, 0,
    ]);
  });
});
