import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Argon2Runner,
  threadPoolArgon2Runner,
} from '../../src/auth/passwords/argon2-workers.js';
import { createArgon2PasswordHasher } from '../../src/auth/passwords/passwords.js';
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

describe('login for an unknown email', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp();
  });
  afterEach(() => app.close());

  // Counted, not timed: medians of Argon2 timings on a shared machine are noise. The timing
  // itself is a bench figure (login-unknown-email in bench/suites/login.mjs).
  it('costs the same Argon2 work as a wrong password for a real account', async () => {
    // Every Argon2 job the app's hasher starts, with the parameters it runs at: the hash's
    // `argon2id$v=19$m=…,t=…,p=…` part (salt and digest differ, the work does not).
    const work: string[] = [];
    const recordingRunner: Argon2Runner = {
      hash(password, options) {
        work.push(`hash m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}`);
        return threadPoolArgon2Runner.hash(password, options);
      },
      verify(passwordHash, password) {
        work.push(`verify ${passwordHash.split('$').slice(1, 4).join('$')}`);
        return threadPoolArgon2Runner.verify(passwordHash, password);
      },
      close: async () => undefined,
    };
    const counted = await createTestApp(
      {},
      { passwords: createArgon2PasswordHasher(recordingRunner) },
    );
    const workOfFailedLogin = async (email: string) => {
      work.length = 0;
      const response = await counted.graphql(LOGIN, {
        variables: { input: { email, password: 'a wrong password' } },
      });
      expect(firstError(response)?.reason).toBe('INVALID_CREDENTIALS');
      return [...work];
    };
    try {
      await counted.signUp('known@example.com');
      const wrongPassword = await workOfFailedLogin('known@example.com');
      const unknownEmail = await workOfFailedLogin('nobody@example.com');
      expect(wrongPassword).toEqual(['verify argon2id$v=19$m=19456,t=2,p=1']);
      expect(unknownEmail).toEqual(wrongPassword);
    } finally {
      await counted.close();
    }
  });
});
