import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, PAIR_FIELDS, PASSWORD, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

// Cookie mode over a real socket: the point is real Set-Cookie and Cookie headers.

const APP_ORIGIN = 'https://app.example.com';
const COOKIE_ENV = {
  REFRESH_TOKEN_COOKIE: 'true',
  ALLOWED_ORIGINS: APP_ORIGIN,
  ACCESS_TOKEN_TTL: '5m',
  REFRESH_TOKEN_TTL: '1h',
};

let app: TestApp;
let http: Listening;
afterEach(async () => {
  await http.close();
  await app.close();
});

async function start(env: Record<string, string> = COOKIE_ENV): Promise<void> {
  app = await createTestApp(env);
  http = await listen(app.yoga);
}

interface Answer {
  readonly status: number;
  readonly body: {
    data?: Record<string, { accessToken?: string; refreshToken?: string } | boolean> | null;
    errors?: { extensions?: Record<string, unknown> }[];
  };
  readonly setCookie: string[];
}

async function post(
  query: string,
  options: { variables?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: APP_ORIGIN, ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Answer['body'],
    setCookie: response.headers.getSetCookie(),
  };
}

function signUpRequest(email: string): Promise<Answer> {
  return post(`mutation ($input: SignUpInput!) { signUp(input: $input) { ${PAIR_FIELDS} } }`, {
    variables: { input: { email, password: PASSWORD } },
  });
}

interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

function pairOf(answer: Answer, field: string): Pair {
  const pair = answer.body.data?.[field];
  if (typeof pair !== 'object') throw new Error(`${field} failed: ${JSON.stringify(answer.body)}`);
  return pair as Pair;
}

/** `refresh_token=<value>` from a Set-Cookie line, as a browser would send it back. */
function cookiePair(setCookie: string | undefined): string {
  const pair = setCookie?.split(';')[0];
  if (pair === undefined) throw new Error('no Set-Cookie');
  return pair;
}

describe('REFRESH_TOKEN_COOKIE=true', () => {
  it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on the GraphQL path', async () => {
    await start();
    const signUp = await signUpRequest('cookie@example.com');
    const pair = pairOf(signUp, 'signUp');
    expect(signUp.setCookie).toEqual([
      `refresh_token=${pair.refreshToken}; Path=/graphql; Max-Age=3600; HttpOnly; Secure; SameSite=Strict`,
    ]);

    const login = await post(
      'mutation ($input: LoginInput!) { login(input: $input) { refreshToken } }',
      { variables: { input: { email: 'cookie@example.com', password: PASSWORD } } },
    );
    const loginPair = pairOf(login, 'login');
    expect(login.setCookie[0]).toBe(
      `refresh_token=${loginPair.refreshToken}; Path=/graphql; Max-Age=3600; HttpOnly; Secure; SameSite=Strict`,
    );
  });

  it('reissues from the cookie alone, rotating it, with Max-Age matching the new refresh token', async () => {
    await start();
    const signUp = await signUpRequest('rotate@example.com');
    app.clock.advanceSeconds(600);
    const reissue = await post('mutation { reissue { accessToken refreshToken } }', {
      headers: { cookie: `theme=dark; ${cookiePair(signUp.setCookie[0])}` },
    });
    expect(reissue.body.errors).toBeUndefined();
    const rotated = pairOf(reissue, 'reissue');
    const first = pairOf(signUp, 'signUp');
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    // Sliding: the new refresh token lives REFRESH_TOKEN_TTL from now, and so does the cookie.
    expect(reissue.setCookie).toEqual([
      `refresh_token=${rotated.refreshToken}; Path=/graphql; Max-Age=3600; HttpOnly; Secure; SameSite=Strict`,
    ]);

    const me = await post('{ me { email } }', {
      headers: { authorization: `Bearer ${rotated.accessToken}` },
    });
    expect(me.body.data).toEqual({ me: { email: 'rotate@example.com' } });
    // The retired cookie, presented again later, is reuse.
    app.clock.advanceSeconds(60);
    const replay = await post('mutation { reissue { accessToken } }', {
      headers: { cookie: cookiePair(signUp.setCookie[0]) },
    });
    expect(replay.body.errors?.[0]?.extensions).toMatchObject({ reason: 'REFRESH_TOKEN_REUSED' });
    expect(replay.setCookie).toEqual([]);
  });

  it('prefers an Authorization header over the cookie', async () => {
    await start();
    const signUp = await signUpRequest('header-wins@example.com');
    const { accessToken } = pairOf(signUp, 'signUp');
    const reissue = await post('mutation { reissue { accessToken } }', {
      headers: { cookie: cookiePair(signUp.setCookie[0]), authorization: `Bearer ${accessToken}` },
    });
    expect(reissue.body.errors?.[0]?.extensions).toMatchObject({ reason: 'TOKEN_TYPE_MISMATCH' });
  });

  it('clears the cookie on logout of this session, not on logout of the others', async () => {
    await start();
    const signUp = await signUpRequest('logout@example.com');
    const { accessToken } = pairOf(signUp, 'signUp');
    const auth = { authorization: `Bearer ${accessToken}` };
    const others = await post('mutation { logout(scope: OTHERS) }', { headers: auth });
    expect(others.body.data).toEqual({ logout: true });
    expect(others.setCookie).toEqual([]);

    const current = await post('mutation { logout }', { headers: auth });
    expect(current.body.data).toEqual({ logout: true });
    expect(current.setCookie).toEqual([
      'refresh_token=; Path=/graphql; Max-Age=0; HttpOnly; Secure; SameSite=Strict',
    ]);
    const reissue = await post('mutation { reissue { accessToken } }', {
      headers: { cookie: cookiePair(signUp.setCookie[0]) },
    });
    expect(reissue.body.errors?.[0]?.extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
  });

  it('replaces the cookie on changePassword and clears it when the own session is revoked', async () => {
    await start();
    const signUp = await signUpRequest('change@example.com');
    const { accessToken } = pairOf(signUp, 'signUp');
    const changed = await post(
      'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken } }',
      {
        variables: { input: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' } },
        headers: { authorization: `Bearer ${accessToken}` },
      },
    );
    const next = pairOf(changed, 'changePassword');
    expect(changed.setCookie[0]).toMatch(new RegExp(`^refresh_token=${next.refreshToken}; `));

    const sid = JSON.parse(
      Buffer.from(next.accessToken.split('.')[1] ?? '', 'base64url').toString(),
    ).sid as string;
    const revoked = await post('mutation ($id: ID!) { revokeSession(id: $id) }', {
      variables: { id: sid },
      headers: { authorization: `Bearer ${next.accessToken}` },
    });
    expect(revoked.body.data).toEqual({ revokeSession: true });
    expect(revoked.setCookie).toEqual([
      'refresh_token=; Path=/graphql; Max-Age=0; HttpOnly; Secure; SameSite=Strict',
    ]);
  });

  it('refuses a cross-site request with 403 before running it, cookie or not', async () => {
    await start();
    const signUp = await signUpRequest('csrf@example.com');
    const refused = await post('mutation { reissue { accessToken } }', {
      headers: { origin: 'https://evil.example', cookie: cookiePair(signUp.setCookie[0]) },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'ORIGIN_NOT_ALLOWED',
    });
    expect(refused.setCookie).toEqual([]);
    // Nothing ran: the cookie's refresh token is still the session's current one.
    const reissue = await post('mutation { reissue { accessToken } }', {
      headers: { cookie: cookiePair(signUp.setCookie[0]) },
    });
    expect(reissue.body.errors).toBeUndefined();
  });

  it('refuses a "simple" cross-site form POST without the CSRF header (yoga CSRF prevention)', async () => {
    await start();
    const signUp = await signUpRequest('form@example.com');
    const response = await fetch(http.url, {
      method: 'POST',
      // What an HTML form on any site can send without a CORS preflight; no Origin (as from
      // an old browser or a privacy setting that strips it).
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookiePair(signUp.setCookie[0]),
      },
      body: new URLSearchParams({ query: 'mutation { reissue { accessToken } }' }).toString(),
    });
    expect(response.status).toBe(403);
    expect(JSON.stringify(await response.json())).toContain('CSRF');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers CORS preflights with credentials only for allowed origins', async () => {
    await start();
    const preflight = (origin: string) =>
      fetch(http.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    // yoga still sends allow-credentials, which a browser ignores unless allow-origin names the
    // requesting origin exactly; so the origin must be neither that one nor a wildcard.
    expect(other.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});

describe('without cookie mode', () => {
  it('sets no cookie and ignores one sent to reissue', async () => {
    await start({});
    const signUp = await signUpRequest('no-cookie@example.com');
    expect(signUp.setCookie).toEqual([]);
    const { refreshToken } = pairOf(signUp, 'signUp');
    const reissue = await post('mutation { reissue { accessToken } }', {
      headers: { cookie: `refresh_token=${refreshToken}` },
    });
    expect(reissue.body.errors?.[0]?.extensions).toMatchObject({ reason: 'TOKEN_MISSING' });
  });
});
