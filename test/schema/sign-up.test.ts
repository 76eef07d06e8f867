import { parseOptions } from '@node-rs/argon2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestApp,
  decodeJwtPart,
  firstError,
  PAIR_FIELDS,
  PASSWORD,
  type TestApp,
} from '../helpers/app.js';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ${PAIR_FIELDS} user { name createdAt } } }`;

describe('signUp', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: 'Root@Example.com, ops@example.com' });
  });
  afterEach(() => app.close());

  it('creates the user and returns a Bearer pair for a new session', async () => {
    const response = await app.graphql<{ signUp: Record<string, unknown> }>(SIGN_UP, {
      variables: { input: { email: '  Ada@Example.COM ', password: PASSWORD, name: ' Ada ' } },
    });
    expect(response.errors).toBeUndefined();
    const payload = response.data?.signUp;
    expect(payload).toMatchObject({
      tokenType: 'Bearer',
      user: {
        email: 'ada@example.com',
        name: 'Ada',
        roles: ['USER'],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      accessTokenExpiresAt: '2026-01-01T00:15:00.000Z',
      refreshTokenExpiresAt: '2026-01-15T00:00:00.000Z',
    });
    const access = decodeJwtPart(String(payload?.accessToken), 1);
    const refresh = decodeJwtPart(String(payload?.refreshToken), 1);
    expect(access.sid).toBe(refresh.sid);
    expect(access.sub).toBe((payload?.user as { id: string } | undefined)?.id);
  });

  it('stores an Argon2id hash with m=19456, t=2, p=1 and never the password', async () => {
    await app.signUp('hash@example.com');
    const user = await app.deps.store.users.findByEmail('hash@example.com');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user?.passwordHash).not.toContain(PASSWORD);
    expect(parseOptions(user?.passwordHash ?? '')).toMatchObject({
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
  });

  it('gives the ADMIN role to emails listed in AUTH_ADMIN_EMAILS, compared normalised', async () => {
    const admin = await app.signUp('ROOT@example.com');
    expect(admin.user.roles).toEqual(['USER', 'ADMIN']);
    expect(decodeJwtPart(admin.accessToken, 1).roles).toEqual(['USER', 'ADMIN']);
  });

  it('refuses an email that is taken, whatever its case, with BAD_USER_INPUT / EMAIL_TAKEN', async () => {
    await app.signUp('taken@example.com');
    const response = await app.graphql(SIGN_UP, {
      variables: { input: { email: 'TAKEN@example.com', password: 'another password' } },
    });
    expect(response.data).toBeNull();
    expect(firstError(response)).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'EMAIL_TAKEN',
      field: 'email',
    });
  });

  it('creates one account when sign-ups for the same email race', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.graphql(SIGN_UP, {
          variables: { input: { email: 'race@example.com', password: PASSWORD } },
        }),
      ),
    );
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.filter((r) => firstError(r)?.reason === 'EMAIL_TAKEN')).toHaveLength(4);
    expect((await app.deps.store.users.list()).length).toBe(1);
  });

  it.each([
    ['not-an-email', PASSWORD, 'INVALID_EMAIL', 'email'],
    ['a@b', PASSWORD, 'INVALID_EMAIL', 'email'],
    ['', PASSWORD, 'INVALID_EMAIL', 'email'],
    ['short@example.com', '1234567', 'PASSWORD_TOO_SHORT', 'password'],
    ['long@example.com', 'x'.repeat(129), 'PASSWORD_TOO_LONG', 'password'],
  ])('refuses email %j with a bad input (case %#): %s', async (email, password, reason, field) => {
    const response = await app.graphql(SIGN_UP, { variables: { input: { email, password } } });
    expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', reason, field });
    expect(await app.deps.store.users.list()).toEqual([]);
  });

  it('accepts passwords of exactly 8 and 128 characters, counting emoji as one', async () => {
    await expect(app.signUp('eight@example.com', '12345678')).resolves.toBeDefined();
    await expect(app.signUp('max@example.com', 'y'.repeat(128))).resolves.toBeDefined();
    await expect(app.signUp('emoji@example.com', '🔑'.repeat(8))).resolves.toBeDefined();
  });

  it('signs up and logs in with a 64-character password', async () => {
    const password = 'correct horse battery staple '.repeat(3).slice(0, 64);
    expect(password).toHaveLength(64);
    await app.signUp('long-password@example.com', password);
    const { user } = await app.login('long-password@example.com', password);
    expect(user.email).toBe('long-password@example.com');
  });

  it('refuses a name over 100 characters', async () => {
    const response = await app.graphql(SIGN_UP, {
      variables: {
        input: { email: 'named@example.com', password: PASSWORD, name: 'n'.repeat(101) },
      },
    });
    expect(firstError(response)).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'NAME_TOO_LONG',
      field: 'name',
    });
  });

  it('ignores a bad, expired or refresh token in the Authorization header', async () => {
    const { accessToken, refreshToken } = await app.signUp('first@example.com');
    app.clock.advanceSeconds(3600);
    expect(firstError(await app.graphql('{ me { id } }', { token: accessToken }))?.reason).toBe(
      'TOKEN_EXPIRED',
    );
    for (const [index, token] of ['garbage', refreshToken, accessToken].entries()) {
      const response = await app.graphql(SIGN_UP, {
        token,
        variables: {
          input: {
            email: `ignored-${index}@example.com`,
            password: PASSWORD,
          },
        },
      });
      expect(response.errors).toBeUndefined();
    }
  });
});
