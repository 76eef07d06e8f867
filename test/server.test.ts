import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../src/logger.js';
import { createTestApp, firstError, type TestApp } from './helpers/app.js';
import { TEST_MFA_KEYS } from './helpers/config.js';

let app: TestApp;
afterEach(() => app.close());

describe('HTTP surface', () => {
  it('answers queries over GET that carry a CSRF header', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp('get@example.com');
    const response = await app.yoga.fetch(
      `http://yoga/graphql?query=${encodeURIComponent('{ me { email } }')}`,
      {
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          'x-graphql-yoga-csrf': '1',
        },
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { me: { email: 'get@example.com' } } });
  });

  it('refuses mutations over GET with 405', async () => {
    app = await createTestApp();
    const query =
      'mutation { login(input: { email: "a@example.com", password: "password1" }) { accessToken } }';
    const response = await app.yoga.fetch(
      `http://yoga/graphql?query=${encodeURIComponent(query)}`,
      { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } },
    );
    expect(response.status).toBe(405);
  });

  it('serves GraphiQL to a browser outside production, with example operations', async () => {
    app = await createTestApp({ NODE_ENV: 'development' });
    const response = await app.yoga.fetch('http://yoga/graphql', {
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('mutation SignUp');
  });

  it('does not serve GraphiQL in production', async () => {
    app = await createTestApp({
      NODE_ENV: 'production',
      ...TEST_MFA_KEYS,
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'https://api.example.com',
      SMTP_URL: 'smtp://smtp.example.com:587',
    });
    const response = await app.yoga.fetch('http://yoga/graphql', {
      headers: { accept: 'text/html' },
    });
    expect(await response.text()).not.toContain('GraphiQL');
  });
});

describe('error masking', () => {
  it('masks an unexpected failure as "Unexpected error." with no internals, and logs it', async () => {
    const lines: string[] = [];
    app = await createTestApp({}, { logger: createJsonLogger((line) => lines.push(line)) });
    const { accessToken } = await app.signUp('mask@example.com');
    Object.assign(app.deps.store.sessions, {
      findWithUser: () => Promise.reject(new Error('disk on fire at /var/lib/secret.db')),
    });
    const response = await app.graphql('{ me { id } }', { token: accessToken });
    expect(response.errors).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 3 }],
        path: ['me'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(JSON.stringify(response)).not.toContain('secret.db');
    expect(lines.join('')).toContain('disk on fire');
  });

  it('gives the original message in development only', async () => {
    app = await createTestApp({ NODE_ENV: 'development' });
    const { accessToken } = await app.signUp('dev@example.com');
    Object.assign(app.deps.store.sessions, {
      findWithUser: () => Promise.reject(new Error('dev detail')),
    });
    const response = await app.graphql('{ me { id } }', { token: accessToken });
    expect(response.errors?.[0]?.message).toBe('Unexpected error.');
    expect(JSON.stringify(firstError(response))).toContain('dev detail');
  });
});
