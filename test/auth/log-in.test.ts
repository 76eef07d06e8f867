import { hash, parseOptions } from '@node-rs/argon2';
import { afterEach, describe, expect, it } from 'vitest';
import { logIn } from '../../src/auth/log-in.js';
import { ARGON2ID_PARAMETERS } from '../../src/auth/passwords/passwords.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  signUpUser,
  type TestAuthDeps,
  type TestAuthDepsOptions,
} from '../helpers/auth-deps.js';

let deps: TestAuthDeps;

async function setUp(options: TestAuthDepsOptions = {}): Promise<TestAuthDeps> {
  deps = await createTestAuthDeps(options);
  return deps;
}

afterEach(() => deps.close());

describe('logIn', () => {
  it('opens a session for the right password, matching the email case-insensitively', async () => {
    await setUp();
    const { user } = await signUpUser(deps, 'alice@example.com');
    deps.clock.advanceSeconds(60);
    const grant = expectSuccess(
      await logIn(deps, { email: '  Alice@Example.COM ', password: PASSWORD }, CLIENT),
    );
    expect(grant.user.id).toBe(user.id);
    const session = await deps.store.sessions.findById(grant.sessionId);
    expect(session).toMatchObject({
      userId: user.id,
      createdAt: deps.clock.now(),
      revokedAt: null,
      ip: CLIENT.ip,
      userAgent: CLIENT.userAgent,
    });
    expect(deps.events.ofType('LOGIN_SUCCEEDED')).toEqual([
      expect.objectContaining({ userId: user.id, sessionId: grant.sessionId, ip: CLIENT.ip }),
    ]);
  });

  it('refuses a wrong password as INVALID_CREDENTIALS and opens no session', async () => {
    await setUp();
    const { user } = await signUpUser(deps, 'alice@example.com');
    const failure = expectFailure(
      await logIn(deps, { email: 'alice@example.com', password: 'not the password' }, CLIENT),
    );
    expect(failure).toBe('INVALID_CREDENTIALS');
    expect(await deps.store.sessions.listLiveForUser(user.id, deps.clock.now())).toHaveLength(1);
    expect(deps.events.ofType('LOGIN_FAILED')).toEqual([
      expect.objectContaining({ userId: user.id, detail: 'WRONG_PASSWORD', sessionId: null }),
    ]);
  });

  it('answers an unknown email exactly as a wrong password, at the cost of one Argon2 verification', async () => {
    await setUp();
    await signUpUser(deps, 'alice@example.com');
    deps.passwords.resetWork();
    const wrongPassword = await logIn(
      deps,
      { email: 'alice@example.com', password: 'nope nope' },
      CLIENT,
    );
    const wrongPasswordWork = { ...deps.passwords.work };
    deps.passwords.resetWork();
    const unknownEmail = await logIn(
      deps,
      { email: 'bob@example.com', password: 'nope nope' },
      CLIENT,
    );

    expect(unknownEmail).toEqual(wrongPassword);
    expect(wrongPasswordWork).toMatchObject({ argon2Verifications: 1, argon2Hashes: 0 });
    expect(deps.passwords.work).toEqual({
      hash: 0,
      verify: 0,
      verifyDummy: 1,
      argon2Hashes: 0,
      argon2Verifications: 1,
    });
    expect(deps.events.ofType('LOGIN_FAILED').at(-1)).toMatchObject({
      userId: null,
      detail: 'UNKNOWN_EMAIL',
    });
  });

  it('does the same dummy verification for a string that is not an email at all', async () => {
    await setUp();
    const failure = expectFailure(
      await logIn(deps, { email: 'not-an-email', password: PASSWORD }, CLIENT),
    );
    expect(failure).toBe('INVALID_CREDENTIALS');
    expect(deps.passwords.work).toMatchObject({ verifyDummy: 1, argon2Verifications: 1 });
  });

  it('refuses an oversized password before any hashing', async () => {
    await setUp();
    await signUpUser(deps, 'alice@example.com');
    deps.passwords.resetWork();
    const failure = expectFailure(
      await logIn(deps, { email: 'alice@example.com', password: 'x'.repeat(513) }, CLIENT),
    );
    expect(failure).toEqual({ reason: 'PASSWORD_TOO_LONG', field: 'password' });
    expect(deps.passwords.work).toMatchObject({ argon2Verifications: 0, argon2Hashes: 0 });
  });

  it('upgrades a hash made with weaker parameters on a successful login', async () => {
    await setUp();
    const { user } = await signUpUser(deps, 'alice@example.com');
    const weak = await hash(PASSWORD, { ...ARGON2ID_PARAMETERS, memoryCost: 1024, timeCost: 1 });
    expect(await deps.store.users.updatePasswordHash(user.id, user.passwordHash, weak)).toBe(true);

    expectSuccess(await logIn(deps, { email: 'alice@example.com', password: PASSWORD }, CLIENT));
    const upgraded = (await deps.store.users.findById(user.id))?.passwordHash ?? '';
    expect(upgraded).not.toBe(weak);
    expect(parseOptions(upgraded)).toMatchObject({ memoryCost: 19_456, timeCost: 2 });
    expect(await deps.passwords.verify(upgraded, PASSWORD)).toBe(true);
  });
});

describe('logIn rate limits', () => {
  const TWO_PER_MINUTE = { limit: 2, windowSeconds: 60 };

  it('counts every attempt on an account, successful or not, whatever the address', async () => {
    await setUp({ rateLimits: { loginPerAccount: TWO_PER_MINUTE } });
    await signUpUser(deps, 'alice@example.com');
    const input = { email: 'alice@example.com', password: PASSWORD };
    expectSuccess(await logIn(deps, input, CLIENT));
    const wrong = { email: 'ALICE@example.com', password: 'a wrong guess' };
    expectFailure(await logIn(deps, wrong, { ...CLIENT, ip: '198.51.100.1' }));
    deps.passwords.resetWork();

    const refused = expectFailure(await logIn(deps, input, { ...CLIENT, ip: '198.51.100.2' }));
    expect(refused).toEqual({ reason: 'RATE_LIMITED', retryAfter: 30 });
    expect(deps.passwords.work).toMatchObject({ argon2Verifications: 0 });
    // Another account's counter is its own: bob is refused for his email, not for alice's.
    const other = await logIn(deps, { email: 'bob@example.com', password: PASSWORD }, CLIENT);
    expect(expectFailure(other)).toBe('INVALID_CREDENTIALS');

    deps.clock.advanceSeconds(30);
    expectSuccess(await logIn(deps, input, CLIENT));
  });

  it('records the first refusal of a burst for the audit log and marks the rest repeated', async () => {
    await setUp({ rateLimits: { loginPerIp: { limit: 1, windowSeconds: 60 } } });
    const input = { email: 'carol@example.com', password: PASSWORD };
    expect(expectFailure(await logIn(deps, input, CLIENT))).toBe('INVALID_CREDENTIALS');
    expect(expectFailure(await logIn(deps, input, CLIENT))).toEqual({
      reason: 'RATE_LIMITED',
      retryAfter: 60,
    });
    expectFailure(await logIn(deps, input, CLIENT));
    const refusals = deps.events.recorded.filter(({ event }) => event.type === 'RATE_LIMITED');
    expect(refusals.map(({ event }) => event.detail)).toEqual([
      'login loginPerIp',
      'login loginPerIp',
    ]);
    expect(refusals.map(({ delivery }) => delivery?.repeated)).toEqual([false, true]);
  });

  it('counts an oversized password too: the limit comes before anything else', async () => {
    await setUp({ rateLimits: { loginPerIp: { limit: 1, windowSeconds: 60 } } });
    await signUpUser(deps, 'alice@example.com');
    const email = 'alice@example.com';
    expect(expectFailure(await logIn(deps, { email, password: 'x'.repeat(513) }, CLIENT))).toEqual({
      reason: 'PASSWORD_TOO_LONG',
      field: 'password',
    });
    expect(expectFailure(await logIn(deps, { email, password: PASSWORD }, CLIENT))).toMatchObject({
      reason: 'RATE_LIMITED',
    });
  });
});
