import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, decodeJwtPart, firstError, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

async function sessionOf(token: string) {
  return app.deps.store.sessions.findById(String(decodeJwtPart(token, 1).sid));
}

describe('reissue', () => {
  it('returns a new pair for the same session and retires the old refresh token', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '10s' });
    const first = await app.signUp();
    app.clock.advanceSeconds(60);
    const response = await app.reissue(first.refreshToken);
    expect(response.errors).toBeUndefined();
    const second = response.data?.reissue;
    if (!second) throw new Error('no pair');

    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const before = decodeJwtPart(first.refreshToken, 1);
    const after = decodeJwtPart(second.refreshToken, 1);
    expect(after.sid).toBe(before.sid);
    expect(after.jti).not.toBe(before.jti);
    expect(decodeJwtPart(second.accessToken, 1).sid).toBe(before.sid);
    expect(second.refreshTokenExpiresAt).toBe('2026-01-15T00:01:00.000Z');

    // The new access token works, and the new refresh token rotates again.
    expect(
      (await app.graphql('{ me { id } }', { token: second.accessToken })).errors,
    ).toBeUndefined();
    app.clock.advanceSeconds(60);
    expect((await app.reissue(second.refreshToken)).errors).toBeUndefined();
  });

  it('slides the refresh expiry but never past SESSION_MAX_AGE', async () => {
    app = await createTestApp({ REFRESH_TOKEN_TTL: '10d', SESSION_MAX_AGE: '15d' });
    let { refreshToken } = await app.signUp();
    app.clock.advanceSeconds(9 * 86_400);
    let response = await app.reissue(refreshToken);
    expect(response.data?.reissue.refreshTokenExpiresAt).toBe('2026-01-16T00:00:00.000Z');
    refreshToken = response.data?.reissue.refreshToken ?? '';
    response = await app.reissue(refreshToken);
    expect(response.data?.reissue.accessTokenExpiresAt).toBe('2026-01-10T00:15:00.000Z');

    // Past the absolute lifetime nothing renews the session.
    app.clock.advanceSeconds(6 * 86_400 + 10);
    refreshToken = response.data?.reissue.refreshToken ?? '';
    expect(firstError(await app.reissue(refreshToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_EXPIRED',
    });
  });

  it('expires a session left idle for REFRESH_TOKEN_TTL', async () => {
    app = await createTestApp({ REFRESH_TOKEN_TTL: '1h' });
    const { refreshToken } = await app.signUp();
    app.clock.advanceSeconds(3600 + 6);
    expect(firstError(await app.reissue(refreshToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_EXPIRED',
    });
  });

  it('refuses an access token with TOKEN_TYPE_MISMATCH and a missing token with TOKEN_MISSING', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    expect(firstError(await app.reissue(accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
    expect(firstError(await app.graphql('mutation { reissue { accessToken } }'))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
  });

  it('reads roles afresh, so a role change reaches the next access token', async () => {
    app = await createTestApp();
    const { refreshToken, accessToken, user } = await app.signUp('promoted@example.com');
    await app.deps.store.users.setRoles(user.id, ['USER', 'ADMIN']);
    expect(firstError(await app.graphql('{ users { id } }', { token: accessToken }))?.code).toBe(
      'FORBIDDEN',
    );

    const promoted = (await app.reissue(refreshToken)).data?.reissue.accessToken ?? '';
    expect(decodeJwtPart(promoted, 1).roles).toEqual(['USER', 'ADMIN']);
    expect((await app.graphql('{ users { id } }', { token: promoted })).errors).toBeUndefined();
  });
});

describe('reissue with a duplicate of a retired refresh token', () => {
  it('within REFRESH_REUSE_INTERVAL returns the current pair of the same lineage', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '10s' });
    const { refreshToken } = await app.signUp();
    const winner = await app.reissue(refreshToken);
    app.clock.advanceSeconds(9);
    const duplicate = await app.reissue(refreshToken);

    expect(duplicate.errors).toBeUndefined();
    // Ed25519 signatures are deterministic: the duplicate gets the very same refresh token.
    expect(duplicate.data?.reissue.refreshToken).toBe(winner.data?.reissue.refreshToken);
    const session = await sessionOf(refreshToken);
    expect(session?.generation).toBe(1);
    expect(session?.revokedAt).toBeNull();
    expect(
      (await app.graphql('{ me { id } }', { token: duplicate.data?.reissue.accessToken })).errors,
    ).toBeUndefined();
  });

  it('after REFRESH_REUSE_INTERVAL is reuse: REFRESH_TOKEN_REUSED, and the whole session is revoked', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '10s' });
    const { refreshToken } = await app.signUp();
    const rotated = (await app.reissue(refreshToken)).data?.reissue;
    app.clock.advanceSeconds(10);

    expect(firstError(await app.reissue(refreshToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'REFRESH_TOKEN_REUSED',
    });
    expect((await sessionOf(refreshToken))?.revokedReason).toBe('refresh_token_reused');
    // The newest refresh token and the session's access tokens die with it.
    expect(firstError(await app.reissue(rotated?.refreshToken ?? ''))?.reason).toBe(
      'SESSION_REVOKED',
    );
    expect(
      firstError(await app.graphql('{ me { id } }', { token: rotated?.accessToken }))?.reason,
    ).toBe('SESSION_REVOKED');
  });

  it('two generations back is reuse even inside the interval', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '10s' });
    const first = await app.signUp();
    const second = (await app.reissue(first.refreshToken)).data?.reissue;
    app.clock.advanceSeconds(1);
    await app.reissue(second?.refreshToken ?? '');
    expect(firstError(await app.reissue(first.refreshToken))?.reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('with REFRESH_REUSE_INTERVAL=0 every duplicate is reuse', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '0' });
    const { refreshToken } = await app.signUp();
    expect((await app.reissue(refreshToken)).errors).toBeUndefined();
    expect(firstError(await app.reissue(refreshToken))?.reason).toBe('REFRESH_TOKEN_REUSED');
  });

  it('does not touch other sessions of the same user', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '0' });
    const first = await app.signUp('two@example.com');
    const other = await app.login('two@example.com', 'correct horse battery');
    await app.reissue(first.refreshToken);
    await app.reissue(first.refreshToken);
    expect(
      (await app.graphql('{ me { id } }', { token: other.accessToken })).errors,
    ).toBeUndefined();
  });
});

describe('50 concurrent reissues of one refresh token', () => {
  it('rotate exactly once and all receive the one surviving lineage', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '10s' });
    const { refreshToken } = await app.signUp();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.reissue(refreshToken)),
    );

    expect(responses.map((r) => r.errors)).toEqual(Array(50).fill(undefined));
    const refreshTokens = new Set(responses.map((r) => r.data?.reissue.refreshToken));
    expect(refreshTokens.size).toBe(1);
    const session = await sessionOf(refreshToken);
    expect(session?.generation).toBe(1);
    expect(session?.currentRefreshJti).toBe(decodeJwtPart([...refreshTokens][0] ?? '', 1).jti);

    // The survivor continues the lineage.
    app.clock.advanceSeconds(1);
    expect((await app.reissue([...refreshTokens][0] ?? '')).errors).toBeUndefined();
  });

  it('with REFRESH_REUSE_INTERVAL=0 rotate once and treat the other 49 as reuse', async () => {
    app = await createTestApp({ REFRESH_REUSE_INTERVAL: '0' });
    const { refreshToken } = await app.signUp();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.reissue(refreshToken)),
    );
    expect(responses.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(responses.filter((r) => firstError(r)?.reason === 'REFRESH_TOKEN_REUSED')).toHaveLength(
      49,
    );
    const session = await sessionOf(refreshToken);
    expect(session?.generation).toBe(1);
    expect(session?.revokedReason).toBe('refresh_token_reused');
  });
});
