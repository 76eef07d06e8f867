import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logIn } from '../../src/auth/log-in.js';
import {
  checkNewAccount,
  createAccount,
  findUserByEmailOrId,
  replaceUserRoles,
  revokeAllSessionsOfUser,
} from '../../src/auth/operator-actions.js';
import { reissueTokens } from '../../src/auth/reissue.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  openSessions,
  PASSWORD,
  type TestAuthDeps,
  verifiedRefreshToken,
  viewerOf,
} from '../helpers/auth-deps.js';

let deps: TestAuthDeps;

beforeEach(async () => {
  deps = await createTestAuthDeps();
});

afterEach(() => deps.close());

const OPERATOR_CLIENT = { ip: null, userAgent: null };

describe('checkNewAccount', () => {
  it.each([
    [
      { email: 'not an email', password: PASSWORD },
      { reason: 'INVALID_EMAIL', field: 'email' },
    ],
    [
      { email: 'a@example.com', password: 'short' },
      { reason: 'PASSWORD_TOO_SHORT', field: 'password' },
    ],
  ])('refuses what signUp refuses (%#)', (input, expected) => {
    expect(checkNewAccount({ ...input, roles: ['USER'] })).toEqual(expected);
  });

  it('accepts a valid account', () => {
    expect(
      checkNewAccount({ email: 'a@example.com', password: PASSWORD, roles: ['USER'] }),
    ).toBeNull();
  });
});

describe('createAccount', () => {
  it('creates the account with the given roles and no session, recording who made it', async () => {
    const input = {
      email: ' Root@Example.com',
      password: PASSWORD,
      roles: ['USER', 'ADMIN'] as const,
    };
    const user = expectSuccess(await createAccount(deps, input));

    expect(await deps.store.users.findById(user.id)).toMatchObject({
      email: 'root@example.com',
      roles: ['USER', 'ADMIN'],
      createdAt: deps.clock.now(),
    });
    expect(await deps.store.sessions.listLiveForUser(user.id, deps.clock.now())).toEqual([]);
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'USER_CREATED',
        userId: user.id,
        sessionId: null,
        detail: 'OPERATOR USER,ADMIN',
        ...OPERATOR_CLIENT,
      }),
    ]);
    expectSuccess(await logIn(deps, { email: 'root@example.com', password: PASSWORD }, CLIENT));
  });

  it('refuses invalid input before hashing and a taken email, writing and recording nothing', async () => {
    const invalid = await createAccount(deps, {
      email: 'nope',
      password: PASSWORD,
      roles: ['USER'],
    });
    expect(expectFailure(invalid)).toEqual({ reason: 'INVALID_EMAIL', field: 'email' });
    expect(deps.passwords.work).toMatchObject({ argon2Hashes: 0 });

    const { user } = await openSessions(deps, 'taken', 0);
    const taken = await createAccount(deps, {
      email: 'TAKEN@example.com',
      password: PASSWORD,
      roles: ['ADMIN'],
    });
    expect(expectFailure(taken)).toEqual({ reason: 'EMAIL_TAKEN', field: 'email' });
    expect(await deps.store.users.list()).toEqual([user]);
    expect(deps.events.recorded).toEqual([]);
  });
});

describe('findUserByEmailOrId', () => {
  it('finds a user by normalised email or by id, and nobody for an unknown one', async () => {
    const { user } = await openSessions(deps, 'alice', 0);
    expect(await findUserByEmailOrId(deps, ' ALICE@example.com ')).toEqual(user);
    expect(await findUserByEmailOrId(deps, user.id)).toEqual(user);
    expect(await findUserByEmailOrId(deps, 'nobody@example.com')).toBeNull();
    expect(await findUserByEmailOrId(deps, 'no-such-id')).toBeNull();
  });
});

describe('replaceUserRoles', () => {
  it('reaches tokens issued from then on; tokens already issued keep their roles', async () => {
    const { user, grants } = await openSessions(deps, 'alice', 1);
    const [grant] = grants;
    if (grant === undefined) throw new Error('no session');
    await replaceUserRoles(deps, user, ['USER', 'ADMIN']);

    expect((await deps.store.users.findById(user.id))?.roles).toEqual(['USER', 'ADMIN']);
    expect((await viewerOf(deps, grant)).roles).toEqual(['USER']);
    const refresh = await verifiedRefreshToken(deps, grant.tokens.refreshToken);
    const reissued = expectSuccess(await reissueTokens(deps, refresh, CLIENT));
    expect((await viewerOf(deps, reissued)).roles).toEqual(['USER', 'ADMIN']);
    expect(deps.events.ofType('ROLES_CHANGED')).toEqual([
      expect.objectContaining({
        userId: user.id,
        detail: 'OPERATOR USER,ADMIN',
        ...OPERATOR_CLIENT,
      }),
    ]);
  });
});

describe('revokeAllSessionsOfUser', () => {
  it('ends every live session of the user as revoked_by_admin and records how many', async () => {
    const { user, grants } = await openSessions(deps, 'alice', 2);
    const bob = await openSessions(deps, 'bob', 1);
    expect(await revokeAllSessionsOfUser(deps, user)).toBe(2);

    for (const grant of grants) {
      expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
        revokedAt: deps.clock.now(),
        revokedReason: 'revoked_by_admin',
      });
    }
    const bobSession = await deps.store.sessions.findById(bob.grants[0]?.sessionId ?? '');
    expect(bobSession?.revokedAt).toBeNull();
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'SESSION_REVOKED',
        userId: user.id,
        actorId: null,
        detail: 'OPERATOR',
        revokedSessions: 2,
      }),
    ]);
    expect(await revokeAllSessionsOfUser(deps, user)).toBe(0);
  });
});
