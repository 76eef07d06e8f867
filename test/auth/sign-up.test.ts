import { afterEach, describe, expect, it } from 'vitest';
import { signUp } from '../../src/auth/sign-up.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  type TestAuthDeps,
  type TestAuthDepsOptions,
} from '../helpers/auth-deps.js';

let deps: TestAuthDeps;

async function setUp(options: TestAuthDepsOptions = {}): Promise<TestAuthDeps> {
  deps = await createTestAuthDeps(options);
  return deps;
}

afterEach(() => deps.close());

describe('signUp', () => {
  it('stores the account with a normalised email and a hash of the password, and logs it in', async () => {
    await setUp();
    const input = { email: ' Alice@Example.COM ', password: PASSWORD, name: '  Alice  ' };
    const grant = expectSuccess(await signUp(deps, input, CLIENT));

    const user = await deps.store.users.findById(grant.user.id);
    expect(user).toMatchObject({
      email: 'alice@example.com',
      name: 'Alice',
      roles: ['USER'],
      createdAt: deps.clock.now(),
    });
    expect(user?.passwordHash).not.toContain(PASSWORD);
    expect(await deps.passwords.verify(user?.passwordHash ?? '', PASSWORD)).toBe(true);
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      userId: grant.user.id,
      revokedAt: null,
      ip: CLIENT.ip,
      userAgent: CLIENT.userAgent,
    });
    expect(deps.events.recorded.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        type: 'SIGN_UP',
        userId: grant.user.id,
        sessionId: grant.sessionId,
        ip: CLIENT.ip,
      }),
      // The verification mail the sign-up queued, recorded in the same write.
      expect.objectContaining({
        type: 'EMAIL_VERIFICATION_SENT',
        userId: grant.user.id,
        sessionId: grant.sessionId,
      }),
    ]);
  });

  it('stores a blank name as none', async () => {
    await setUp();
    const grant = expectSuccess(
      await signUp(deps, { email: 'a@example.com', password: PASSWORD, name: '   ' }, CLIENT),
    );
    expect(grant.user.name).toBeNull();
  });

  it('gives the ADMIN role to an email listed in AUTH_ADMIN_EMAILS', async () => {
    await setUp({ env: { AUTH_ADMIN_EMAILS: 'boss@example.com' } });
    const boss = expectSuccess(
      await signUp(deps, { email: 'Boss@example.com', password: PASSWORD }, CLIENT),
    );
    const other = expectSuccess(
      await signUp(deps, { email: 'staff@example.com', password: PASSWORD }, CLIENT),
    );
    expect((await deps.store.users.findById(boss.user.id))?.roles).toEqual(['USER', 'ADMIN']);
    expect(other.user.roles).toEqual(['USER']);
  });

  it.each([
    [
      { email: 'not an email', password: PASSWORD },
      { reason: 'INVALID_EMAIL', field: 'email' },
    ],
    [
      { email: 'a@example.com', password: 'short' },
      { reason: 'PASSWORD_TOO_SHORT', field: 'password' },
    ],
    [
      { email: 'a@example.com', password: 'x'.repeat(129) },
      { reason: 'PASSWORD_TOO_LONG', field: 'password' },
    ],
    [
      { email: 'a@example.com', password: PASSWORD, name: 'n'.repeat(101) },
      { reason: 'NAME_TOO_LONG', field: 'name' },
    ],
  ])('refuses invalid input (%#) before hashing, writing nothing', async (input, expected) => {
    await setUp();
    expect(expectFailure(await signUp(deps, input, CLIENT))).toEqual(expected);
    expect(deps.passwords.work).toMatchObject({ argon2Hashes: 0 });
    expect(await deps.store.users.list()).toEqual([]);
    expect(deps.events.recorded).toEqual([]);
  });

  it('counts a name by characters, not UTF-16 units', async () => {
    await setUp();
    const name = '🔑'.repeat(100);
    const grant = expectSuccess(
      await signUp(deps, { email: 'a@example.com', password: PASSWORD, name }, CLIENT),
    );
    expect(grant.user.name).toBe(name);
  });

  it('refuses a taken email, in any case, as EMAIL_TAKEN and opens no session', async () => {
    await setUp();
    const first = expectSuccess(
      await signUp(deps, { email: 'a@example.com', password: PASSWORD }, CLIENT),
    );
    const taken = await signUp(
      deps,
      { email: 'A@EXAMPLE.com', password: 'another password' },
      CLIENT,
    );
    expect(expectFailure(taken)).toEqual({ reason: 'EMAIL_TAKEN', field: 'email' });
    expect(await deps.store.users.list()).toEqual([first.user]);
    expect(await deps.store.sessions.listLiveForUser(first.user.id, deps.clock.now())).toHaveLength(
      1,
    );
    expect(deps.events.types()).toEqual(['SIGN_UP', 'EMAIL_VERIFICATION_SENT']);
  });

  it('creates one account when sign-ups for one email run at once', async () => {
    await setUp();
    const input = { email: 'race@example.com', password: PASSWORD };
    const results = await Promise.all([1, 2, 3].map(() => signUp(deps, input, CLIENT)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.flatMap((result) => (result.ok ? [] : [result.failure]))).toEqual([
      { reason: 'EMAIL_TAKEN', field: 'email' },
      { reason: 'EMAIL_TAKEN', field: 'email' },
    ]);
    expect(await deps.store.users.list()).toHaveLength(1);
  });
});

describe('signUp rate limit', () => {
  it('refuses the client past its sign-up limit before validating anything', async () => {
    await setUp({ rateLimits: { signUpPerIp: { limit: 1, windowSeconds: 60 } } });
    expectSuccess(await signUp(deps, { email: 'a@example.com', password: PASSWORD }, CLIENT));
    deps.passwords.resetWork();

    const invalid = await signUp(deps, { email: 'not an email', password: 'short' }, CLIENT);
    expect(expectFailure(invalid)).toEqual({ reason: 'RATE_LIMITED', retryAfter: 60 });
    expect(deps.passwords.work).toMatchObject({ argon2Hashes: 0 });
    expect(deps.events.ofType('RATE_LIMITED')).toEqual([
      expect.objectContaining({ userId: null, detail: 'signUp signUpPerIp', ip: CLIENT.ip }),
    ]);

    const elsewhere = { ...CLIENT, ip: '198.51.100.9' };
    expectSuccess(await signUp(deps, { email: 'b@example.com', password: PASSWORD }, elsewhere));
    deps.clock.advanceSeconds(60);
    expectSuccess(await signUp(deps, { email: 'c@example.com', password: PASSWORD }, CLIENT));
  });
});
