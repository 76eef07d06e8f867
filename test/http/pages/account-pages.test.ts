import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, type TestApp } from '../../helpers/app.js';
import { captureMail, linkOf, linkTokenOf } from '../../helpers/mail.js';

// Issue 13: the built-in pages the links point to when no *_URL template is set.

const PUBLIC_URL = 'https://auth.example.com';
const APP_ORIGIN = 'https://app.example.com';

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp({
    AUTH_ISSUER: 'https://issuer.example.com',
    PUBLIC_URL,
    ALLOWED_ORIGINS: APP_ORIGIN,
  });
});
afterEach(() => app.close());

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return await app.yoga.fetch(`http://yoga${path}`, { method: 'GET', headers });
}

const VERIFY = 'mutation ($t: String!) { verifyEmail(token: $t) }';

describe('GET /verify-email, /reset-password, /confirm-email-change', () => {
  it.each(['/verify-email', '/reset-password', '/confirm-email-change'])(
    '%s is a self-contained page with the strict headers',
    async (path) => {
      const response = await get(`${path}?token=${'a'.repeat(43)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await response.text();
      // The token stays in the address bar: the page's HTML never repeats it.
      expect(html).not.toContain('a'.repeat(43));
      // No external asset: no src= or href= at all; the inline script and style run by hash.
      expect(html).not.toMatch(/\b(src|href)=/);
      for (const [tag, directive] of [
        ['script', 'script-src'],
        ['style', 'style-src'],
      ] as const) {
        const source = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? '';
        const hash = createHash('sha256').update(source).digest('base64');
        expect(csp).toContain(`${directive} 'sha256-${hash}'`);
      }
      expect(html).toContain('x-graphql-yoga-csrf');
    },
  );

  it('the reset page has the form for the new password', async () => {
    const html = await (await get('/reset-password?token=x')).text();
    expect(html).toContain('type="password"');
    expect(html).toContain('resetPassword(input: $input)');
  });

  it('loading a page consumes nothing: the link still works after any number of loads', async () => {
    const mail = captureMail(app);
    const { user } = await app.signUp('pages@example.com');
    const [verification] = await mail.deliverTo(user.email);
    const link = linkOf(verification);
    // The link is built on PUBLIC_URL, whatever Host the request that caused it had.
    expect(link.startsWith(`${PUBLIC_URL}/verify-email?token=`)).toBe(true);
    const url = new URL(link);
    for (let i = 0; i < 3; i++) {
      expect((await get(`${url.pathname}${url.search}`, { host: 'evil.example' })).status).toBe(
        200,
      );
    }
    const used = await app.graphql(VERIFY, { variables: { t: linkTokenOf(verification) } });
    expect(used.data).toEqual({ verifyEmail: true });
  });

  it('other methods pass through to the GraphQL server (no page answers them)', async () => {
    const response = await app.yoga.fetch('http://yoga/reset-password', { method: 'POST' });
    expect(response.status).toBe(404);
  });

  it("the service's own origin (PUBLIC_URL's) is allowed beside ALLOWED_ORIGINS", async () => {
    for (const origin of [PUBLIC_URL, APP_ORIGIN]) {
      const answer = await app.graphql(VERIFY, {
        variables: { t: 'b'.repeat(43) },
        headers: { origin },
      });
      expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LINK_INVALID' });
    }
    const refused = await app.graphql(VERIFY, {
      variables: { t: 'b'.repeat(43) },
      headers: { origin: 'https://evil.example' },
    });
    expect(firstError(refused)).toMatchObject({ reason: 'ORIGIN_NOT_ALLOWED' });
  });
});
