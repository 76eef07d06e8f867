import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateAccessToken, verifyRefreshToken } from '../../src/auth/authenticate.js';
import type { AuthGrant } from '../../src/auth/sessions/grant.js';
import { signAccessToken } from '../../src/auth/tokens/sign-token.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../src/auth/tokens/token-types.js';
import { createVerifiedTokenCache } from '../../src/auth/tokens/verified-token-cache.js';
import {
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  openSessions,
  type TestAuthDeps,
} from '../helpers/auth-deps.js';

let deps: TestAuthDeps;
let grant: AuthGrant;

beforeEach(async () => {
  deps = await createTestAuthDeps();
  const [first] = (await openSessions(deps, 'alice', 1)).grants;
  if (first === undefined) throw new Error('no session');
  grant = first;
});

afterEach(() => deps.close());

function authenticate(authorization: string | null) {
  return authenticateAccessToken(deps, authorization, null);
}

/** An access token for alice's session signed with our own key, with the claims overridden. */
function signedAccessToken(overrides: { userId?: string; audience?: string }): Promise<string> {
  const now = Math.floor(deps.clock.now() / 1000);
  const settings = { ...deps.settings, audience: overrides.audience ?? deps.settings.audience };
  return signAccessToken(deps.keys, settings, {
    userId: overrides.userId ?? grant.user.id,
    sessionId: grant.sessionId,
    tokenId: 'forged-jti',
    issuedAt: now,
    expiresAt: now + 60,
    roles: ['USER', 'ADMIN'],
  });
}

describe('authenticateAccessToken', () => {
  it('gives the viewer of a live session’s access token', async () => {
    const viewer = expectSuccess(await authenticate(`Bearer ${grant.tokens.accessToken}`));
    expect(viewer).toEqual({
      userId: grant.user.id,
      sessionId: grant.sessionId,
      tokenId: expect.any(String),
      roles: ['USER'],
      restrictions: [],
      assurance: { level: 1, methods: ['pwd'], authTime: expect.any(Number) },
      // What a stream opened with the token may not outlive (issue 16).
      accessTokenExpiresAt: grant.tokens.accessTokenExpiresAt / 1000,
    });
  });

  it.each([
    [null, 'TOKEN_MISSING'],
    ['', 'TOKEN_MISSING'],
    ['Bearer ', 'TOKEN_MISSING'],
    ['Basic YWxpY2U6c2VjcmV0', 'TOKEN_INVALID'],
    ['Bearer not-a-jwt', 'TOKEN_INVALID'],
    ['Bearer '.padEnd(5000, 'a'), 'TOKEN_INVALID'],
  ])('refuses a bad Authorization header (%#) as %s', async (authorization, reason) => {
    expect(expectFailure(await authenticate(authorization))).toBe(reason);
  });

  it('refuses a refresh token as TOKEN_TYPE_MISMATCH', async () => {
    const result = await authenticate(`Bearer ${grant.tokens.refreshToken}`);
    expect(expectFailure(result)).toBe('TOKEN_TYPE_MISMATCH');
  });

  it('refuses an access token past its lifetime and the clock tolerance as TOKEN_EXPIRED', async () => {
    const bearer = `Bearer ${grant.tokens.accessToken}`;
    deps.clock.advanceSeconds(deps.settings.lifetimes.accessTokenTtl + CLOCK_TOLERANCE_SECONDS - 1);
    expectSuccess(await authenticate(bearer));
    deps.clock.advanceSeconds(1);
    expect(expectFailure(await authenticate(bearer))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token for another audience as TOKEN_INVALID', async () => {
    const token = await signedAccessToken({ audience: 'https://elsewhere.example.com' });
    expect(expectFailure(await authenticate(`Bearer ${token}`))).toBe('TOKEN_INVALID');
  });

  it('refuses our own signature on a token naming someone else’s session as TOKEN_INVALID', async () => {
    const token = await signedAccessToken({ userId: 'mallory' });
    expect(expectFailure(await authenticate(`Bearer ${token}`))).toBe('TOKEN_INVALID');
  });

  it('checks the session on every call, even for a token the cache has verified', async () => {
    const cache = createVerifiedTokenCache(10);
    const bearer = `Bearer ${grant.tokens.accessToken}`;
    expectSuccess(await authenticateAccessToken(deps, bearer, cache));
    await deps.store.sessions.revoke(grant.sessionId, 'logout', deps.clock.now());
    const result = await authenticateAccessToken(deps, bearer, cache);
    expect(expectFailure(result)).toBe('SESSION_REVOKED');
  });
});

describe('verifyRefreshToken', () => {
  it('gives the claims of a refresh token, naming the session’s current jti', async () => {
    const verified = expectSuccess(
      await verifyRefreshToken(deps, `Bearer ${grant.tokens.refreshToken}`),
    );
    const session = await deps.store.sessions.findById(grant.sessionId);
    expect(verified).toMatchObject({
      type: 'refresh',
      userId: grant.user.id,
      sessionId: grant.sessionId,
      tokenId: session?.currentRefreshJti,
      roles: [],
    });
  });

  it('refuses an access token as TOKEN_TYPE_MISMATCH and no token as TOKEN_MISSING', async () => {
    const access = await verifyRefreshToken(deps, `Bearer ${grant.tokens.accessToken}`);
    expect(expectFailure(access)).toBe('TOKEN_TYPE_MISMATCH');
    expect(expectFailure(await verifyRefreshToken(deps, null))).toBe('TOKEN_MISSING');
  });

  it('does not read the session: that is for the rotation to decide', async () => {
    await deps.store.sessions.revoke(grant.sessionId, 'logout', deps.clock.now());
    expectSuccess(await verifyRefreshToken(deps, `Bearer ${grant.tokens.refreshToken}`));
  });

  it('refuses a refresh token past its expiry as TOKEN_EXPIRED', async () => {
    deps.clock.advanceSeconds(
      deps.settings.lifetimes.refreshTokenTtl + CLOCK_TOLERANCE_SECONDS + 1,
    );
    const result = await verifyRefreshToken(deps, `Bearer ${grant.tokens.refreshToken}`);
    expect(expectFailure(result)).toBe('TOKEN_EXPIRED');
  });
});
