import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

const SESSION_FIELDS = 'id current createdAt lastUsedAt expiresAt userAgent ip';

interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
}

async function mySessions(token: string): Promise<SessionView[]> {
  const response = await app.graphql<{ mySessions: SessionView[] }>(
    `{ mySessions { ${SESSION_FIELDS} } }`,
    { token },
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.mySessions;
}

describe('mySessions', () => {
  it('lists the caller’s live sessions, marks the current one, and hides ended ones', async () => {
    app = await createTestApp({ TRUST_PROXY: '1' });
    const first = await app.signUp('sessions@example.com');
    app.clock.advanceSeconds(60);
    const second = await app.graphql<{ login: { accessToken: string } }>(
      `mutation { login(input: { email: "sessions@example.com", password: "${PASSWORD}" }) { accessToken } }`,
      { headers: { 'user-agent': 'Phone/1.0', 'x-forwarded-for': '203.0.113.5' } },
    );
    const secondToken = second.data?.login.accessToken ?? '';
    await app.signUp('someone-else@example.com');

    const sessions = await mySessions(secondToken);
    expect(sessions).toHaveLength(2);
    // Most recently used first.
    expect(sessions[0]).toMatchObject({ current: true, userAgent: 'Phone/1.0', ip: '203.0.113.5' });
    expect(sessions[1]).toMatchObject({ current: false });
    expect(sessions[0]?.createdAt).toBe(new Date(app.clock.now()).toISOString());
    expect(Date.parse(sessions[0]?.expiresAt ?? '')).toBeGreaterThan(app.clock.now());

    await app.graphql('mutation { logout }', { token: first.accessToken });
    expect((await mySessions(secondToken)).map((s) => s.current)).toEqual([true]);
  });
});

describe('revokeSession', () => {
  it('ends one of the caller’s sessions: its tokens are refused at once', async () => {
    app = await createTestApp();
    const laptop = await app.signUp('own@example.com');
    const phone = await app.login('own@example.com', PASSWORD);
    const other = (await mySessions(phone.accessToken)).find((session) => !session.current);
    const response = await app.graphql<{ revokeSession: boolean }>(
      'mutation ($id: ID!) { revokeSession(id: $id) }',
      { token: phone.accessToken, variables: { id: other?.id } },
    );
    expect(response.data).toEqual({ revokeSession: true });
    expect(
      firstError(await app.graphql('{ me { id } }', { token: laptop.accessToken })),
    ).toMatchObject({
      reason: 'SESSION_REVOKED',
    });
    expect(firstError(await app.reissue(laptop.refreshToken))?.reason).toBe('SESSION_REVOKED');
    // The caller's own session is untouched.
    expect(
      (await app.graphql('{ me { id } }', { token: phone.accessToken })).errors,
    ).toBeUndefined();
  });

  it('answers another user’s session id exactly like an unknown id, and leaves it alone', async () => {
    app = await createTestApp();
    const mallory = await app.signUp('mallory@example.com');
    const alice = await app.signUp('alice@example.com');
    const [aliceSession] = await mySessions(alice.accessToken);
    const revoke = (id: string) =>
      app.graphql('mutation ($id: ID!) { revokeSession(id: $id) }', {
        token: mallory.accessToken,
        variables: { id },
      });
    const foreign = await revoke(aliceSession?.id ?? '');
    const unknown = await revoke('00000000-0000-0000-0000-000000000000');
    expect(foreign).toEqual(unknown);
    expect(foreign).toEqual({ status: 200, data: { revokeSession: false } });
    expect(
      (await app.graphql('{ me { id } }', { token: alice.accessToken })).errors,
    ).toBeUndefined();
  });
});

describe('revokeUserSessions', () => {
  it('lets an admin end every session of a user and returns the count', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: 'admin@example.com' });
    const admin = await app.signUp('admin@example.com');
    const user = await app.signUp('user@example.com');
    await app.login('user@example.com', PASSWORD);
    const response = await app.graphql('mutation ($id: ID!) { revokeUserSessions(userId: $id) }', {
      token: admin.accessToken,
      variables: { id: user.user.id },
    });
    expect(response.data).toEqual({ revokeUserSessions: 2 });
    expect(
      firstError(await app.graphql('{ me { id } }', { token: user.accessToken })),
    ).toMatchObject({
      reason: 'SESSION_REVOKED',
    });
    const again = await app.graphql('mutation ($id: ID!) { revokeUserSessions(userId: $id) }', {
      token: admin.accessToken,
      variables: { id: user.user.id },
    });
    expect(again.data).toEqual({ revokeUserSessions: 0 });
  });

  it('is FORBIDDEN without the ADMIN role', async () => {
    app = await createTestApp();
    const user = await app.signUp();
    const response = await app.graphql('mutation ($id: ID!) { revokeUserSessions(userId: $id) }', {
      token: user.accessToken,
      variables: { id: user.user.id },
    });
    expect(firstError(response)).toEqual({ code: 'FORBIDDEN' });
    expect(
      (await app.graphql('{ me { id } }', { token: user.accessToken })).errors,
    ).toBeUndefined();
  });
});
