import { afterEach, describe, expect, it } from 'vitest';
import { authenticateAccessToken } from '../../src/auth/authenticate.js';
import { logOut } from '../../src/auth/log-out.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import type { VerifiedToken } from '../../src/auth/tokens/token-types.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  signUpUser,
  type TestAuthDeps,
  type TestAuthDepsOptions,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';

// Default lifetimes: REFRESH_REUSE_INTERVAL 10s, REFRESH_TOKEN_TTL 14 days.
const REUSE_INTERVAL = 10;

let deps: TestAuthDeps;

async function setUp(options: TestAuthDepsOptions = {}) {
  deps = await createTestAuthDeps(options);
  const grant = await signUpUser(deps, 'alice@example.com');
  return { grant, token: await verifiedRefreshToken(deps, grant.tokens.refreshToken) };
}

afterEach(() => deps.close());

async function reissue(token: VerifiedToken, client = CLIENT) {
  return reissueTokens(deps, token, client);
}

async function refreshTokenOf(grant: AuthGrant): Promise<VerifiedToken> {
  return verifiedRefreshToken(deps, grant.tokens.refreshToken);
}

describe('reissueTokens', () => {
  it('rotates: a new refresh token becomes current and the presented one previous', async () => {
    const { grant, token } = await setUp();
    deps.clock.advanceSeconds(60);
    const rotated = expectSuccess(await reissue(token));
    const next = await refreshTokenOf(rotated);

    expect(rotated.sessionId).toBe(grant.sessionId);
    expect(next.tokenId).not.toBe(token.tokenId);
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      currentRefreshJti: next.tokenId,
      previousRefreshJti: token.tokenId,
      generation: 1,
      rotatedAt: deps.clock.now(),
      lastUsedAt: deps.clock.now(),
      idleExpiresAt: deps.clock.now() + deps.settings.lifetimes.refreshTokenTtl * 1000,
      revokedAt: null,
    });
    expect(deps.events.ofType('REISSUE')).toEqual([
      expect.objectContaining({
        userId: grant.user.id,
        sessionId: grant.sessionId,
        detail: 'ROTATED',
      }),
    ]);
  });

  it('answers the just-retired token within the reuse interval with the current pair', async () => {
    const { grant, token } = await setUp();
    const rotated = expectSuccess(await reissue(token));
    const afterRotation = await deps.store.sessions.findById(grant.sessionId);
    deps.clock.advanceSeconds(REUSE_INTERVAL - 1);

    const duplicate = expectSuccess(await reissue(token));
    expect(duplicate.tokens.refreshToken).toBe(rotated.tokens.refreshToken);
    expect(await deps.store.sessions.findById(grant.sessionId)).toEqual(afterRotation);
    expect(deps.events.ofType('REISSUE').map((event) => event.detail)).toEqual([
      'ROTATED',
      'GRACE',
    ]);
  });

  it('ends the session as REFRESH_TOKEN_REUSED for the retired token once the interval is over', async () => {
    const { grant, token } = await setUp();
    const rotated = expectSuccess(await reissue(token));
    deps.clock.advanceSeconds(REUSE_INTERVAL);

    expect(expectFailure(await reissue(token))).toBe('REFRESH_TOKEN_REUSED');
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedAt: deps.clock.now(),
      revokedReason: 'refresh_token_reused',
    });
    expect(deps.events.ofType('REFRESH_TOKEN_REUSED')).toEqual([
      expect.objectContaining({
        userId: grant.user.id,
        sessionId: grant.sessionId,
        revokedSessions: 1,
      }),
    ]);
    // The newest refresh token and the access tokens die with the session.
    expect(expectFailure(await reissue(await refreshTokenOf(rotated)))).toBe('SESSION_REVOKED');
    const access = await authenticateAccessToken(
      deps,
      `Bearer ${rotated.tokens.accessToken}`,
      null,
    );
    expect(expectFailure(access)).toBe('SESSION_REVOKED');
  });

  it('treats a token two rotations old as reuse even within the interval', async () => {
    const { grant, token } = await setUp();
    const second = expectSuccess(await reissue(token));
    expectSuccess(await reissue(await refreshTokenOf(second)));
    expect(expectFailure(await reissue(token))).toBe('REFRESH_TOKEN_REUSED');
    expect((await deps.store.sessions.findById(grant.sessionId))?.revokedReason).toBe(
      'refresh_token_reused',
    );
  });

  it('rotates once for concurrent calls with one token; the others get the same pair', async () => {
    const { grant, token } = await setUp();
    const results = await Promise.all([1, 2, 3, 4].map(() => reissue(token)));
    const refreshTokens = new Set(
      results.map((result) => expectSuccess(result).tokens.refreshToken),
    );

    expect(refreshTokens.size).toBe(1);
    expect((await deps.store.sessions.findById(grant.sessionId))?.generation).toBe(1);
    expect(
      deps.events
        .ofType('REISSUE')
        .map((event) => event.detail)
        .sort(),
    ).toEqual(['GRACE', 'GRACE', 'GRACE', 'ROTATED']);
  });

  it('refuses a token of a logged-out session as SESSION_REVOKED, keeping the logout reason', async () => {
    const { grant, token } = await setUp();
    await logOut(deps, await viewerOf(deps, grant), 'CURRENT', CLIENT);
    expect(expectFailure(await reissue(token))).toBe('SESSION_REVOKED');
    expect((await deps.store.sessions.findById(grant.sessionId))?.revokedReason).toBe('logout');
    expect(deps.events.ofType('REFRESH_TOKEN_REUSED')).toEqual([]);
  });

  it('refuses an idle-expired session as TOKEN_EXPIRED without revoking it', async () => {
    const { grant, token } = await setUp();
    deps.clock.advanceSeconds(deps.settings.lifetimes.refreshTokenTtl);
    expect(expectFailure(await reissue(token))).toBe('TOKEN_EXPIRED');
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedAt: null,
      generation: 0,
    });
  });

  it('refuses a token naming another user as TOKEN_INVALID and leaves the session alone', async () => {
    const { grant, token } = await setUp();
    const before = await deps.store.sessions.findById(grant.sessionId);
    const forged = { ...token, userId: 'someone-else' };
    expect(expectFailure(await reissue(forged))).toBe('TOKEN_INVALID');
    expect(await deps.store.sessions.findById(grant.sessionId)).toEqual(before);
  });

  it('refuses a token whose session does not exist as SESSION_REVOKED', async () => {
    const { token } = await setUp();
    expect(expectFailure(await reissue({ ...token, sessionId: 'no-such-session' }))).toBe(
      'SESSION_REVOKED',
    );
  });

  it('reads the roles afresh for the new access token', async () => {
    const { grant, token } = await setUp();
    await deps.store.users.setRoles(grant.user.id, ['USER', 'ADMIN']);
    const rotated = expectSuccess(await reissue(token));
    expect((await viewerOf(deps, rotated)).roles).toEqual(['USER', 'ADMIN']);
  });
});

describe('reissueTokens rate limit', () => {
  it('refuses the client past its limit without touching the session', async () => {
    const { grant, token } = await setUp({
      rateLimits: { reissuePerIp: { limit: 1, windowSeconds: 60 } },
    });
    const rotated = expectSuccess(await reissue(token));
    const limited = await reissue(await refreshTokenOf(rotated));
    expect(expectFailure(limited)).toEqual({ reason: 'RATE_LIMITED', retryAfter: 60 });
    expect((await deps.store.sessions.findById(grant.sessionId))?.generation).toBe(1);
    expect(deps.events.ofType('RATE_LIMITED')).toEqual([
      expect.objectContaining({ userId: grant.user.id, detail: 'reissue reissuePerIp' }),
    ]);
  });
});
