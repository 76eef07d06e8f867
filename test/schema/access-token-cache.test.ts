import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, type TestApp } from '../helpers/app.js';

// The verified-token cache must not change a single answer: each test runs with the cache
// (default size) and without it (ACCESS_TOKEN_CACHE_SIZE=0), and warms it before the change.

describe.each([
  ['on', '10000'],
  ['off', '0'],
])('a protected request with the token cache %s', (_label, size) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp({ ACCESS_TOKEN_CACHE_SIZE: size });
  });
  afterEach(() => app.close());

  async function reasonOfMe(token: string): Promise<unknown> {
    const response = await app.graphql('{ me { id } }', { token });
    return firstError(response)?.reason ?? 'ok';
  }

  it('sees a logout on the very next request: the session is read every time', async () => {
    const pair = await app.signUp();
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    const logout = await app.graphql('mutation { logout }', { token: pair.accessToken });
    expect(logout.data).toEqual({ logout: true });
    expect(await reasonOfMe(pair.accessToken)).toBe('SESSION_REVOKED');
  });

  it('sees reuse detection revoke the session of a cached access token', async () => {
    const pair = await app.signUp();
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    expect((await app.reissue(pair.refreshToken)).errors).toBeUndefined();
    app.clock.advanceSeconds(11);
    expect(firstError(await app.reissue(pair.refreshToken))?.reason).toBe('REFRESH_TOKEN_REUSED');
    expect(await reasonOfMe(pair.accessToken)).toBe('SESSION_REVOKED');
  });

  it('refuses a cached access token once it expires', async () => {
    const pair = await app.signUp();
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    app.clock.advanceSeconds(15 * 60 - 1);
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    app.clock.advanceSeconds(7);
    expect(await reasonOfMe(pair.accessToken)).toBe('TOKEN_EXPIRED');
  });

  it('takes roles from the exact token presented, not from another token of the session', async () => {
    const pair = await app.signUp();
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    await app.deps.store.users.setRoles(pair.user.id, ['USER', 'ADMIN']);
    const rotated = await app.reissue(pair.refreshToken);
    const adminToken = rotated.data?.reissue.accessToken;
    if (adminToken === undefined) throw new Error('reissue failed');

    const asAdmin = await app.graphql('{ users { id } }', { token: adminToken });
    expect(asAdmin.errors).toBeUndefined();
    const withOldToken = await app.graphql('{ users { id } }', { token: pair.accessToken });
    expect(firstError(withOldToken)).toEqual({ code: 'FORBIDDEN' });
  });

  it('refuses a cached access token on reissue', async () => {
    const pair = await app.signUp();
    expect(await reasonOfMe(pair.accessToken)).toBe('ok');
    expect(firstError(await app.reissue(pair.accessToken))?.reason).toBe('TOKEN_TYPE_MISMATCH');
  });
});
