import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApp,
  firstError,
  PASSWORD,
  type TestApp,
  type TokenPairResponse,
} from '../helpers/app.js';

describe('logout', () => {
  let app: TestApp;
  let sessions: TokenPairResponse[];
  let stranger: TokenPairResponse;

  beforeEach(async () => {
    app = await createTestApp();
    sessions = [await app.signUp('multi@example.com')];
    sessions.push(await app.login('multi@example.com', PASSWORD));
    sessions.push(await app.login('multi@example.com', PASSWORD));
    stranger = await app.signUp('stranger@example.com');
  });
  afterEach(() => app.close());

  async function reasonFor(
    pair: TokenPairResponse,
  ): Promise<{ access: unknown; refresh: unknown }> {
    const me = await app.graphql('{ me { id } }', { token: pair.accessToken });
    const reissue = await app.reissue(pair.refreshToken);
    return { access: firstError(me)?.reason ?? 'ok', refresh: firstError(reissue)?.reason ?? 'ok' };
  }

  const revoked = { access: 'SESSION_REVOKED', refresh: 'SESSION_REVOKED' };
  const live = { access: 'ok', refresh: 'ok' };

  it('with the default scope CURRENT ends only the calling session, at once', async () => {
    const [current, other] = sessions;
    if (!current || !other) throw new Error('setup');
    const response = await app.graphql('mutation { logout }', { token: current.accessToken });
    expect(response.data).toEqual({ logout: true });
    expect(await reasonFor(current)).toEqual(revoked);
    expect(await reasonFor(other)).toEqual(live);
  });

  it('with OTHERS ends every other session of the user and keeps the calling one', async () => {
    const [current, ...others] = sessions;
    if (!current) throw new Error('setup');
    const response = await app.graphql('mutation { logout(scope: OTHERS) }', {
      token: current.accessToken,
    });
    expect(response.data).toEqual({ logout: true });
    for (const pair of others) expect(await reasonFor(pair)).toEqual(revoked);
    expect(await reasonFor(current)).toEqual(live);
    expect(await reasonFor(stranger)).toEqual(live);
  });

  it('with ALL ends every session of the user and no one else’s', async () => {
    const [current] = sessions;
    if (!current) throw new Error('setup');
    await app.graphql('mutation { logout(scope: ALL) }', { token: current.accessToken });
    for (const pair of sessions) expect(await reasonFor(pair)).toEqual(revoked);
    expect(await reasonFor(stranger)).toEqual(live);
  });

  it('treats an explicit null scope as CURRENT', async () => {
    const [current, other] = sessions;
    if (!current || !other) throw new Error('setup');
    await app.graphql('mutation { logout(scope: null) }', { token: current.accessToken });
    expect(await reasonFor(current)).toEqual(revoked);
    expect(await reasonFor(other)).toEqual(live);
  });

  it('requires an access token: a refresh token is TOKEN_TYPE_MISMATCH and changes nothing', async () => {
    const [current] = sessions;
    if (!current) throw new Error('setup');
    const response = await app.graphql('mutation { logout(scope: ALL) }', {
      token: current.refreshToken,
    });
    expect(firstError(response)).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
    for (const pair of sessions) expect(await reasonFor(pair)).toEqual(live);
  });

  it('refuses a second logout with the revoked access token', async () => {
    const [current] = sessions;
    if (!current) throw new Error('setup');
    await app.graphql('mutation { logout }', { token: current.accessToken });
    const again = await app.graphql('mutation { logout }', { token: current.accessToken });
    expect(firstError(again)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });
});
