import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApp,
  decodeJwtPart,
  firstError,
  PAIR_FIELDS,
  PASSWORD,
  type TestApp,
} from '../helpers/app.js';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { ${PAIR_FIELDS} } }`;

describe('login', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(() => app.close());

  it('opens a new session per login, with a normalised email', async () => {
    const signedUp = await app.signUp('grace@example.com');
    const loggedIn = await app.login('  GRACE@example.com', PASSWORD);
    expect(loggedIn.user.id).toBe(signedUp.user.id);
    expect(decodeJwtPart(loggedIn.accessToken, 1).sid).not.toBe(
      decodeJwtPart(signedUp.accessToken, 1).sid,
    );
  });

  it('answers a wrong password and an unknown email identically', async () => {
    await app.signUp('known@example.com');
    const wrongPassword = await app.graphql(LOGIN, {
      variables: { input: { email: 'known@example.com', password: 'wrong password' } },
    });
    const unknownEmail = await app.graphql(LOGIN, {
      variables: { input: { email: 'nobody@example.com', password: 'wrong password' } },
    });
    const malformedEmail = await app.graphql(LOGIN, {
      variables: { input: { email: 'not an email', password: 'wrong password' } },
    });
    expect(firstError(wrongPassword)).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'INVALID_CREDENTIALS',
    });
    expect(unknownEmail).toEqual(wrongPassword);
    expect(malformedEmail).toEqual(wrongPassword);
  });

  it('runs a dummy Argon2 verification for an unknown email', async () => {
    let dummyCalls = 0;
    const { passwords } = app.deps;
    const verifyDummy = passwords.verifyDummy.bind(passwords);
    Object.assign(passwords, {
      verifyDummy: (password: string) => {
        dummyCalls += 1;
        return verifyDummy(password);
      },
    });
    await app.graphql(LOGIN, {
      variables: { input: { email: 'ghost@example.com', password: PASSWORD } },
    });
    expect(dummyCalls).toBe(1);
  });

  it('refuses a megabyte password before any Argon2 work', async () => {
    await app.signUp('known@example.com');
    let argon2Calls = 0;
    const { passwords } = app.deps;
    for (const method of ['hash', 'verify', 'verifyDummy'] as const) {
      const original = passwords[method].bind(passwords) as (...args: string[]) => Promise<unknown>;
      Object.assign(passwords, {
        [method]: (...args: string[]) => {
          argon2Calls += 1;
          return original(...args);
        },
      });
    }
    const response = await app.graphql(LOGIN, {
      variables: { input: { email: 'known@example.com', password: 'p'.repeat(1_000_000) } },
    });
    expect(firstError(response)).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'PASSWORD_TOO_LONG',
      field: 'password',
    });
    expect(argon2Calls).toBe(0);
  });

  it('rehashes a password stored with outdated Argon2 parameters on the next login', async () => {
    const { user } = await app.signUp('legacy@example.com');
    const { hash } = await import('@node-rs/argon2');
    const weak = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    const before = await app.deps.store.users.findById(user.id);
    expect(
      await app.deps.store.users.updatePasswordHash(user.id, before?.passwordHash ?? '', weak),
    ).toBe(true);

    await app.login('legacy@example.com', PASSWORD);
    const stored = await app.deps.store.users.findById(user.id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(app.login('legacy@example.com', PASSWORD)).resolves.toBeDefined();
  });

  it('never lets the upgrade of an old hash overwrite a newer hash', async () => {
    const { user } = await app.signUp('cas@example.com');
    const current = await app.deps.store.users.findById(user.id);
    // A writer that still believes in an older hash writes nothing.
    expect(await app.deps.store.users.updatePasswordHash(user.id, 'an older hash', 'x')).toBe(
      false,
    );
    expect((await app.deps.store.users.findById(user.id))?.passwordHash).toBe(
      current?.passwordHash,
    );
  });

  it('ignores whatever is in the Authorization header, an expired token included', async () => {
    const { accessToken } = await app.signUp('header@example.com');
    app.clock.advanceSeconds(3600);
    for (const authorization of ['Bearer not.a.token', `Bearer ${accessToken}`, 'Basic x']) {
      const response = await app.graphql(LOGIN, {
        headers: { authorization },
        variables: { input: { email: 'header@example.com', password: PASSWORD } },
      });
      expect(response.errors).toBeUndefined();
    }
  });
});

describe('login timing', () => {
  let app: TestApp;
  afterEach(() => app.close());

  it('takes the same time for an unknown email as for a wrong password (medians)', async () => {
    app = await createTestApp();
    await app.signUp('timed@example.com');
    const time = async (email: string): Promise<number> => {
      const started = performance.now();
      const response = await app.graphql(LOGIN, {
        variables: { input: { email, password: 'a wrong password' } },
      });
      const elapsed = performance.now() - started;
      expect(firstError(response)?.reason).toBe('INVALID_CREDENTIALS');
      return elapsed;
    };
    await time('warm-up@example.com');
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so drift in machine load hits both samples alike.
    for (let i = 0; i < 30; i++) {
      known.push(await time('timed@example.com'));
      unknown.push(await time(`nobody-${i}@example.com`));
    }
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return ((sorted[14] ?? 0) + (sorted[15] ?? 0)) / 2;
    };
    const [knownMedian, unknownMedian] = [median(known), median(unknown)];
    // Both paths run one Argon2id verification (several ms); without the dummy verification
    // the unknown-email path would take a fraction of a millisecond.
    expect(Math.min(knownMedian, unknownMedian)).toBeGreaterThan(2);
    // A generous band for a shared, noisy machine: a missing hash is off by 10x or more.
    expect(
      Math.abs(knownMedian - unknownMedian) / Math.max(knownMedian, unknownMedian),
    ).toBeLessThan(0.35);
  });
});
