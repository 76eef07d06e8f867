import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

function loginMutation(count: number, email: string, password: string): string {
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `a${i}: login(input: { email: ${JSON.stringify(email)}, password: ${JSON.stringify(password)} }) { accessToken }`,
  );
  return `mutation { ${fields.join('\n')} }`;
}

function login(email: string, password: string, remoteAddress = '198.51.100.1') {
  return app.graphql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
    variables: { input: { email, password } },
    remoteAddress,
  });
}

describe('login rate limits', () => {
  it('counts every aliased login in one request', async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_IP: '3/1m' });
    await app.signUp('alias@example.com');
    // Mutation fields run one after another; an error in a non-null field ends the request.
    // Three aliased logins succeed, the fourth is the fourth execution and is refused.
    const response = await app.graphql(loginMutation(5, 'alias@example.com', PASSWORD), {
      remoteAddress: '198.51.100.1',
    });
    expect(response.data).toBeNull();
    expect(response.errors?.map((error) => error.path?.[0])).toEqual(['a3']);
    expect(response.errors?.[0]?.extensions).toEqual({
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      retryAfter: 20,
    });
  });

  it('limits one account across many addresses, and no other account', async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_ACCOUNT: '2/10m' });
    await app.signUp('target@example.com');
    expect(firstError(await login('target@example.com', 'guess-1', '198.51.100.1'))?.reason).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(firstError(await login('TARGET@example.com ', 'guess-2', '198.51.100.2'))?.reason).toBe(
      'INVALID_CREDENTIALS',
    );
    // Normalised email: the same account however it is typed, from a third address.
    expect(firstError(await login(' Target@Example.com', PASSWORD, '198.51.100.3'))).toEqual({
      code: 'TOO_MANY_REQUESTS',
      reason: 'RATE_LIMITED',
      retryAfter: 300,
    });
    // Unknown accounts are limited the same way, and other accounts are unaffected.
    expect(
      (await login('someone-else@example.com', 'x'.repeat(8))).errors?.[0]?.extensions?.reason,
    ).toBe('INVALID_CREDENTIALS');
  });

  it('limits one address across many accounts', async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_IP: '2/1m' });
    await login('a@example.com', 'password-a', '203.0.113.9');
    await login('b@example.com', 'password-b', '203.0.113.9');
    expect(firstError(await login('c@example.com', 'password-c', '203.0.113.9'))?.reason).toBe(
      'RATE_LIMITED',
    );
    expect(firstError(await login('c@example.com', 'password-c', '203.0.113.10'))?.reason).toBe(
      'INVALID_CREDENTIALS',
    );
  });

  it('keeps counting after a successful login, and lets the client back in after retryAfter', async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_IP: '3/1m' });
    await app.signUp('ok@example.com');
    await login('ok@example.com', 'wrong-password');
    expect((await login('ok@example.com', PASSWORD)).errors).toBeUndefined();
    await login('ok@example.com', 'wrong-password');
    const limited = firstError(await login('ok@example.com', PASSWORD));
    expect(limited).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfter: 20 });

    app.clock.advanceSeconds(19);
    expect(firstError(await login('ok@example.com', PASSWORD))?.reason).toBe('RATE_LIMITED');
    app.clock.advanceSeconds(1);
    expect((await login('ok@example.com', PASSWORD)).errors).toBeUndefined();
  });

  it('believes X-Forwarded-For only with TRUST_PROXY', async () => {
    for (const [trustProxy, limitedThird] of [
      ['false', true],
      ['1', false],
    ] as const) {
      app = await createTestApp({ RATE_LIMIT_LOGIN_IP: '2/1m', TRUST_PROXY: trustProxy });
      const reasons: unknown[] = [];
      for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        const response = await app.graphql(
          'mutation { login(input: { email: "x@example.com", password: "password" }) { accessToken } }',
          { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } },
        );
        reasons.push(firstError(response)?.reason);
      }
      expect(reasons[2] === 'RATE_LIMITED').toBe(limitedThird);
      await app.close();
    }
    app = await createTestApp();
  });
});

describe('other limited operations', () => {
  it('limits signUp per address', async () => {
    app = await createTestApp({ RATE_LIMIT_SIGNUP_IP: '1/1h' });
    const signUp = (email: string) =>
      app.graphql('mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
        variables: { input: { email, password: PASSWORD } },
        remoteAddress: '198.51.100.1',
      });
    expect((await signUp('one@example.com')).errors).toBeUndefined();
    expect(firstError(await signUp('two@example.com'))).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      retryAfter: 3600,
    });
  });

  it('limits reissue per address', async () => {
    app = await createTestApp({ RATE_LIMIT_REISSUE_IP: '1/1m' });
    const { refreshToken } = await app.signUp();
    const first = await app.graphql('mutation { reissue { refreshToken } }', {
      token: refreshToken,
      remoteAddress: '198.51.100.1',
    });
    expect(first.errors).toBeUndefined();
    const second = await app.graphql('mutation { reissue { refreshToken } }', {
      token: (first.data as { reissue: { refreshToken: string } }).reissue.refreshToken,
      remoteAddress: '198.51.100.1',
    });
    expect(firstError(second)?.reason).toBe('RATE_LIMITED');
  });

  it('limits changePassword per account, across addresses', async () => {
    app = await createTestApp({ RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT: '2/15m' });
    const { accessToken } = await app.signUp();
    const attempt = (remoteAddress: string) =>
      app.graphql(
        'mutation { changePassword(input: { currentPassword: "wrong-one", newPassword: "another password" }) { accessToken } }',
        { token: accessToken, remoteAddress },
      );
    expect(firstError(await attempt('198.51.100.1'))?.reason).toBe('WRONG_PASSWORD');
    expect(firstError(await attempt('198.51.100.2'))?.reason).toBe('WRONG_PASSWORD');
    expect(firstError(await attempt('198.51.100.3'))).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      retryAfter: 450,
    });
  });
});
