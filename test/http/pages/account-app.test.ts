import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_APP_SCRIPT } from '../../../src/http/pages/account-app-script.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// The built-in account page, GET /account, in process: what it is served with. What it does
// is tested in a browser (test/browser/passkey-account.test.ts).

let app: TestApp | undefined;
afterEach(() => app?.close());

async function openApp(env: Record<string, string> = {}): Promise<TestApp> {
  app = await createTestApp({ AUTH_ISSUER: 'https://auth.example.com', ...env });
  return app;
}

function sourceOf(html: string, tag: 'script' | 'style'): string {
  const source = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1];
  if (source === undefined) throw new Error(`no <${tag}> in the page`);
  return source;
}

function sha256(source: string): string {
  return createHash('sha256').update(source).digest('base64');
}

describe('GET /account', () => {
  it('is a self-contained page with the strict headers', async () => {
    const { yoga } = await openApp();
    const response = await yoga.fetch('http://yoga/account');
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    const html = await response.text();
    const directives = (response.headers.get('content-security-policy') ?? '').split('; ');
    expect(directives).toEqual([
      "default-src 'none'",
      `script-src 'sha256-${sha256(sourceOf(html, 'script'))}'`,
      `style-src 'sha256-${sha256(sourceOf(html, 'style'))}'`,
      "connect-src 'self'",
      "form-action 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]);
    // One script and one style, both inline; nothing loads from anywhere.
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/\b(src|href|action)=/);
    expect(sourceOf(html, 'script')).toBe(ACCOUNT_APP_SCRIPT);
  });

  it('tells the script whether the refresh token is in the cookie', async () => {
    const bearer = await (await (await openApp()).yoga.fetch('http://yoga/account')).text();
    expect(bearer).toContain('data-cookie-mode="false"');
    await app?.close();
    const cookie = await openApp({
      REFRESH_TOKEN_COOKIE: 'true',
      ALLOWED_ORIGINS: 'https://app.example.com',
    });
    const html = await (await cookie.yoga.fetch('http://yoga/account')).text();
    expect(html).toContain('data-cookie-mode="true"');
    // The same script in both modes: the CSP hash does not depend on the mode.
    expect(sourceOf(html, 'script')).toBe(sourceOf(bearer, 'script'));
  });

  it('answers HEAD with the headers and no body', async () => {
    const { yoga } = await openApp();
    const response = await yoga.fetch('http://yoga/account', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toBe('');
  });

  it('passes other methods and paths through (no page answers them)', async () => {
    const { yoga } = await openApp();
    expect((await yoga.fetch('http://yoga/account', { method: 'POST' })).status).toBe(404);
    expect((await yoga.fetch('http://yoga/account/sessions')).status).toBe(404);
  });

  it('keeps the tokens out of storage and inserts nothing as HTML', () => {
    for (const sink of ['localStorage', 'sessionStorage', 'document.cookie', 'innerHTML']) {
      expect(ACCOUNT_APP_SCRIPT).not.toContain(sink);
    }
    for (const sink of ['outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(']) {
      expect(ACCOUNT_APP_SCRIPT).not.toContain(sink);
    }
    expect(ACCOUNT_APP_SCRIPT).toContain('"x-graphql-yoga-csrf": "1"');
  });
});
