import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateAccessToken } from '../../src/auth/authenticate.js';
import { logOut } from '../../src/auth/log-out.js';
import type { SessionRecord } from '../../src/auth/ports/records.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import type { Viewer } from '../../src/auth/sessions/viewer.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  openSessions,
  type TestAuthDeps,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';

let deps: TestAuthDeps;
/** Alice's three sessions; the viewer is the first. */
let alice: AuthGrant[];
let viewer: Viewer;
let bob: AuthGrant[];

beforeEach(async () => {
  deps = await createTestAuthDeps();
  alice = (await openSessions(deps, 'alice', 3)).grants;
  bob = (await openSessions(deps, 'bob', 1)).grants;
  viewer = await viewerOf(deps, alice[0] as AuthGrant);
  deps.clock.advanceSeconds(60);
});

afterEach(() => deps.close());

async function sessionsOf(grants: AuthGrant[]): Promise<(SessionRecord | null)[]> {
  return Promise.all(grants.map((grant) => deps.store.sessions.findById(grant.sessionId)));
}

/** The revocation reason of each session; null for one still live. */
async function reasonsOf(grants: AuthGrant[]) {
  return (await sessionsOf(grants)).map((session) => session?.revokedReason);
}

describe('logOut', () => {
  it('CURRENT ends the viewer’s session only', async () => {
    expect(await logOut(deps, viewer, 'CURRENT', CLIENT)).toBe(1);
    expect(await reasonsOf(alice)).toEqual(['logout', null, null]);
    expect(await reasonsOf(bob)).toEqual([null]);
    expect((await sessionsOf(alice))[0]?.revokedAt).toBe(deps.clock.now());
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'LOGOUT',
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        detail: 'CURRENT',
        revokedSessions: 1,
        ip: CLIENT.ip,
      }),
    ]);
  });

  it('OTHERS ends every other session of the viewer and keeps the current one', async () => {
    expect(await logOut(deps, viewer, 'OTHERS', CLIENT)).toBe(2);
    expect(await reasonsOf(alice)).toEqual([null, 'logout', 'logout']);
    expect(await reasonsOf(bob)).toEqual([null]);
    expect(deps.events.ofType('LOGOUT')).toEqual([
      expect.objectContaining({ detail: 'OTHERS', revokedSessions: 2 }),
    ]);
  });

  it('ALL ends every session of the viewer and nobody else’s', async () => {
    expect(await logOut(deps, viewer, 'ALL', CLIENT)).toBe(3);
    expect(await reasonsOf(alice)).toEqual(['logout', 'logout', 'logout']);
    expect(await reasonsOf(bob)).toEqual([null]);
  });

  it('counts only sessions this call ended, and keeps when they ended', async () => {
    await logOut(deps, viewer, 'CURRENT', CLIENT);
    const endedAt = deps.clock.now();
    deps.clock.advanceSeconds(60);
    expect(await logOut(deps, viewer, 'CURRENT', CLIENT)).toBe(0);
    expect(await logOut(deps, viewer, 'ALL', CLIENT)).toBe(2);
    expect((await sessionsOf(alice)).map((session) => session?.revokedAt)).toEqual([
      endedAt,
      deps.clock.now(),
      deps.clock.now(),
    ]);
    expect(deps.events.ofType('LOGOUT').map((event) => event.revokedSessions)).toEqual([1, 0, 2]);
  });

  it('refuses the ended session’s tokens from the next request on', async () => {
    const grant = alice[0] as AuthGrant;
    const refresh = await verifiedRefreshToken(deps, grant.tokens.refreshToken);
    await logOut(deps, viewer, 'CURRENT', CLIENT);
    const access = await authenticateAccessToken(deps, `Bearer ${grant.tokens.accessToken}`, null);
    expect(expectFailure(access)).toBe('SESSION_REVOKED');
    expect(expectFailure(await reissueTokens(deps, refresh, CLIENT))).toBe('SESSION_REVOKED');
  });
});
