import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/logger.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { captureMail, linkTokenOf } from '../helpers/mail.js';

let app: TestApp;
afterEach(() => app.close());

async function appWithLog(): Promise<{ lines: () => Record<string, unknown>[]; raw: string[] }> {
  const raw: string[] = [];
  app = await createTestApp({}, { logger: createJsonLogger((line) => raw.push(line), 'debug') });
  return { raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function requestLines(lines: Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => line.msg === 'request');
}

describe('request log', () => {
  it('writes one JSON line per request with id, operation, outcome and duration', async () => {
    const log = await appWithLog();
    const response = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' },
      body: JSON.stringify({ query: 'query Me { me { id } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    await app.graphql('{ __typename }');
    await app.yoga.fetch('http://yoga/health');

    const lines = requestLines(log.lines());
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 'info',
      requestId: 'trace-42',
      method: 'POST',
      path: '/graphql',
      operation: 'Me',
      outcome: 'error',
      status: 200,
      errors: ['UNAUTHENTICATED/TOKEN_MISSING'],
    });
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
    expect(lines[1]).toMatchObject({ operation: null, outcome: 'ok', errors: [] });
    expect(lines[1]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[2]).toMatchObject({ path: '/health', outcome: 'ok', status: 200 });
  });

  it('never writes a link token: not from a built-in page, a variable or a failed use', async () => {
    const log = await appWithLog();
    const mail = captureMail(app);
    const account = await app.signUp('linked@example.com');
    await app.graphql('mutation { requestPasswordReset(email: "linked@example.com") }');
    const [verification, reset] = await mail.deliverTo('linked@example.com');
    const verifyToken = linkTokenOf(verification);
    const resetToken = linkTokenOf(reset);
    await app.yoga.fetch(`http://yoga/reset-password?token=${resetToken}`);
    await app.graphql('mutation ($t: String!) { verifyEmail(token: $t) }', {
      variables: { t: verifyToken },
    });
    await app.graphql('mutation ($t: String!) { verifyEmail(token: $t) }', {
      variables: { t: verifyToken }, // used: LINK_INVALID
    });
    await app.graphql(
      'mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { accessToken } }',
      { variables: { input: { token: resetToken, newPassword: 'the secret new password' } } },
    );
    const text = log.raw.join('');
    expect(requestLines(log.lines()).map((line) => line.path)).toContain('/reset-password');
    for (const secret of [
      verifyToken,
      resetToken,
      'the secret new password',
      account.accessToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('token=');
  });

  it('replaces a request id that is not short and plain', async () => {
    const log = await appWithLog();
    await app.yoga.fetch('http://yoga/health', { headers: { 'x-request-id': 'a b'.repeat(40) } });
    expect(requestLines(log.lines())[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes a token, a password or the Authorization header, even at debug level', async () => {
    const log = await appWithLog();
    const email = 'secret-keeper@example.com';
    const signUp = await app.signUp(email);
    const login = await app.login(email, PASSWORD);
    await app.graphql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      variables: { input: { email, password: 'wrong password, also secret' } },
    });
    await app.graphql('query Me { me { email } }', { token: login.accessToken });
    const reissued = await app.reissue(login.refreshToken);
    app.clock.advanceSeconds(60);
    await app.reissue(login.refreshToken); // reuse: ends the session
    await app.graphql('{ me { email } }', { token: `${signUp.accessToken}x` });
    await app.yoga.fetch(
      `http://yoga/graphql?query=${encodeURIComponent('{ me { email } }')}&token=${signUp.accessToken}`,
      { headers: { authorization: `Bearer ${signUp.accessToken}`, accept: 'application/json' } },
    );
    await app.graphql('mutation { logout(scope: ALL) }', { token: signUp.accessToken });

    const text = log.raw.join('');
    expect(requestLines(log.lines()).length).toBe(9);
    const secrets = [
      PASSWORD,
      'wrong password, also secret',
      signUp.accessToken,
      signUp.refreshToken,
      login.accessToken,
      login.refreshToken,
      reissued.data?.reissue.accessToken ?? 'missing',
      reissued.data?.reissue.refreshToken ?? 'missing',
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    // No token fragment either: every JWT we issue starts with the same encoded header.
    expect(text).not.toContain('eyJ');
    expect(text.toLowerCase()).not.toContain('authorization');
    expect(text.toLowerCase()).not.toContain('bearer');
  });
});
