import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/auth/tokens/sign-token.js';
import { createTestApp, decodeJwtPart, firstError, type TestApp } from '../helpers/app.js';

describe('me', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(() => app.close());

  it('returns the user behind a valid access token', async () => {
    const { accessToken, user } = await app.signUp('me@example.com');
    const response = await app.graphql('{ me { id email name roles createdAt } }', {
      token: accessToken,
    });
    expect(response.data).toEqual({
      me: {
        id: user.id,
        email: 'me@example.com',
        name: null,
        roles: ['USER'],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    });
  });

  it('reads the store once: the user comes with the session, as of the same request', async () => {
    const { accessToken, user } = await app.signUp('once@example.com');
    const { users, sessions } = app.deps.store;
    const reads = { users: 0, sessions: 0 };
    const findUser = users.findById.bind(users);
    const findWithUser = sessions.findWithUser.bind(sessions);
    users.findById = (id) => {
      reads.users++;
      return findUser(id);
    };
    sessions.findWithUser = (id) => {
      reads.sessions++;
      return findWithUser(id);
    };
    const me = async () =>
      (await app.graphql<{ me: { roles: string[] } }>('{ me { roles } }', { token: accessToken }))
        .data?.me.roles;
    expect(await me()).toEqual(['USER']);
    expect(reads).toEqual({ users: 0, sessions: 1 });
    // A change between requests is seen by the next one: nothing is kept across requests.
    await app.deps.store.users.setRoles(user.id, ['USER', 'ADMIN']);
    expect(await me()).toEqual(['USER', 'ADMIN']);
    expect(reads).toEqual({ users: 0, sessions: 2 });
  });

  it('exposes no password hash field', async () => {
    const { accessToken } = await app.signUp();
    const response = await app.graphql('{ me { passwordHash } }', { token: accessToken });
    expect(firstError(response)?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['no header', {}, 'TOKEN_MISSING'],
    ['an empty Bearer', { authorization: 'Bearer ' }, 'TOKEN_MISSING'],
    ['another scheme', { authorization: 'Basic YWRhOnB3' }, 'TOKEN_INVALID'],
    ['a non-JWT', { authorization: 'Bearer abc' }, 'TOKEN_INVALID'],
  ])('refuses %s with UNAUTHENTICATED', async (_name, headers: Record<string, string>, reason) => {
    const response = await app.graphql('{ me { id } }', { headers });
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(firstError(response)).toEqual({ code: 'UNAUTHENTICATED', reason });
  });

  it('refuses a refresh token with TOKEN_TYPE_MISMATCH', async () => {
    const { refreshToken } = await app.signUp();
    const response = await app.graphql('{ me { id } }', { token: refreshToken });
    expect(firstError(response)).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('refuses a genuine token whose sid names another user’s session with TOKEN_INVALID', async () => {
    const mallory = await app.signUp('mallory@example.com');
    const alice = await app.signUp('alice@example.com');
    const now = Math.floor(app.clock.now() / 1000);
    const forged = await signAccessToken(app.deps.keys, app.deps.settings, {
      userId: mallory.user.id,
      sessionId: String(decodeJwtPart(alice.accessToken, 1).sid),
      tokenId: 'forged',
      issuedAt: now,
      expiresAt: now + 60,
      roles: ['USER'],
    });
    const response = await app.graphql('{ me { email } }', { token: forged });
    expect(firstError(response)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('refuses an access token past its expiry with TOKEN_EXPIRED, tolerating 5 s of clock skew', async () => {
    const { accessToken } = await app.signUp();
    app.clock.advanceSeconds(15 * 60 + 4);
    expect((await app.graphql('{ me { id } }', { token: accessToken })).errors).toBeUndefined();
    app.clock.advanceSeconds(2);
    const response = await app.graphql('{ me { id } }', { token: accessToken });
    expect(firstError(response)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });
});

describe('users', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: 'admin@example.com' });
  });
  afterEach(() => app.close());

  it('lists every user, oldest first, to an admin', async () => {
    const admin = await app.signUp('admin@example.com');
    app.clock.advanceSeconds(1);
    await app.signUp('second@example.com');
    const response = await app.graphql<{ users: { email: string }[] }>(
      '{ users { email roles } }',
      {
        token: admin.accessToken,
      },
    );
    expect(response.data?.users).toEqual([
      { email: 'admin@example.com', roles: ['USER', 'ADMIN'] },
      { email: 'second@example.com', roles: ['USER'] },
    ]);
  });

  it('refuses a user without the ADMIN role with FORBIDDEN', async () => {
    const { accessToken } = await app.signUp('plain@example.com');
    const response = await app.graphql('{ users { id } }', { token: accessToken });
    expect(response.data).toBeNull();
    expect(firstError(response)).toEqual({ code: 'FORBIDDEN' });
  });

  it('refuses a missing or refresh token with UNAUTHENTICATED, not FORBIDDEN', async () => {
    const admin = await app.signUp('admin@example.com');
    expect(firstError(await app.graphql('{ users { id } }'))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
    expect(
      firstError(await app.graphql('{ users { id } }', { token: admin.refreshToken })),
    ).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('reports FORBIDDEN at the users path of an operation that also asks for me', async () => {
    const { accessToken } = await app.signUp('plain@example.com');
    const response = await app.graphql('{ me { email } users { id } }', { token: accessToken });
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]?.path).toEqual(['users']);
    expect(firstError(response)).toEqual({ code: 'FORBIDDEN' });
  });
});
