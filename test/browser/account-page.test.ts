import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectShown,
  expectStatus,
  type GraphQLExchange,
  logInOnPage,
  logOutOnPage,
  openAccountPage,
  signUpOnPage,
} from '../helpers/account-page.js';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';
import {
  type Chromium,
  chromiumIsThere,
  launchChromium,
  withScreenshotOnFailure,
} from '../helpers/chromium.js';
import { type ListeningSocket, listenOnFreePort } from '../helpers/listen.js';
import { codeNow, enrolTotp } from '../helpers/mfa.js';

// The built-in account page (/account) in Chromium, without passkeys (passkey-account.test.ts
// has those): password login and the second factor, sessions, the reissue of an expired access
// token, and cookie mode.

const hasChromium = chromiumIsThere('the account page browser test');
const PAST_ACCESS_TOKEN_TTL = 16 * 60;

interface Served {
  readonly app: TestApp;
  readonly origin: string;
  close(): Promise<void>;
}

/** A test app on a real socket, reached at http://localhost:<port> as its PUBLIC_URL. */
async function serve(env: Record<string, string> = {}): Promise<Served> {
  let app: TestApp | undefined;
  const http: ListeningSocket = await listenOnFreePort((request, response) =>
    app?.yoga(request, response),
  );
  const origin = http.origin.replace('127.0.0.1', 'localhost');
  app = await createTestApp({ AUTH_ISSUER: origin, PUBLIC_URL: origin, ...env });
  const opened = app;
  return {
    app: opened,
    origin,
    async close() {
      await http.close();
      await opened.close();
    },
  };
}

let chromium: Chromium;
let bearer: Served;
let cookie: Served;

beforeAll(async () => {
  if (!hasChromium) return;
  bearer = await serve();
  cookie = await serve({
    REFRESH_TOKEN_COOKIE: 'true',
    ALLOWED_ORIGINS: 'https://app.example.com',
  });
  chromium = await launchChromium('account-page');
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await bearer?.close();
  await cookie?.close();
});

function operations(exchanges: readonly GraphQLExchange[]): string[] {
  return exchanges.map((exchange) => exchange.operation);
}

function reasonsOf(exchanges: readonly GraphQLExchange[]): unknown[] {
  return exchanges.map((exchange) => exchange.answer.errors?.[0]?.extensions?.reason ?? null);
}

async function sessionsText(page: Page): Promise<string> {
  return (await page.locator('#sessions').textContent()) ?? '';
}

describe.skipIf(!hasChromium)('the account page in Chromium', () => {
  it('logs in, lists and revokes sessions, reissues an expired token once, and logs out', async () => {
    const { app, origin } = bearer;
    const other = await app.signUp('sessions@example.com');
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await withScreenshotOnFailure(page, 'account-page-sessions', async () => {
      await logInOnPage(page, 'sessions@example.com', PASSWORD);
      await expect.poll(() => sessionsText(page), { timeout: 15_000 }).toContain('Another session');
      expect(await sessionsText(page)).toContain('This session');
      // The password field does not keep the password once it is sent.
      expect(await page.locator('#login-password').inputValue()).toBe('');

      app.clock.advanceSeconds(PAST_ACCESS_TOKEN_TTL);
      const before = (await account.exchanges()).length;
      await page
        .locator('#sessions li', { hasText: 'Another session' })
        .getByRole('button', { name: 'Revoke' })
        .click();
      await expectStatus(page, 'The session was revoked.');
      expect(await sessionsText(page)).not.toContain('Another session');
      // (Its access token has expired meanwhile: its refresh token tells.)
      const revoked = await app.reissue(other.refreshToken);
      expect(firstError(revoked)).toMatchObject({ reason: 'SESSION_REVOKED' });
      // The expired access token: one reissue with the refresh token, then the retry.
      const since = (await account.exchanges()).slice(before);
      expect(operations(since)).toEqual([
        'RevokeSession',
        'Reissue',
        'RevokeSession',
        'MySessions',
      ]);
      expect(reasonsOf(since)).toEqual(['TOKEN_EXPIRED', null, null, null]);
      const [expired, reissue, retried] = since;
      expect(reissue?.authorization).not.toBe(expired?.authorization);
      const renewed = reissue?.answer.data?.reissue as { accessToken: string };
      expect(retried?.authorization).toBe(`Bearer ${renewed.accessToken}`);

      await logOutOnPage(page);
      const after = await app.graphql('{ me { email } }', { token: renewed.accessToken });
      expect(firstError(after)).toMatchObject({ reason: 'SESSION_REVOKED' });
    });
    expect(account.errors).toEqual([]);
    expect(account.elsewhere).toEqual([]);
    await page.close();
  }, 60_000);

  it('asks a password login for the second factor: a TOTP code, or a recovery code', async () => {
    const { app, origin } = bearer;
    const { accessToken } = await app.signUp('totp@example.com');
    const { secret, recoveryCodes } = await enrolTotp(app, accessToken);
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await withScreenshotOnFailure(page, 'account-page-totp', async () => {
      await logInOnPage(page, 'totp@example.com', PASSWORD);
      await expectShown(page, '#step-up');
      await expectStatus(page, 'Prove your second factor to go on.');
      expect(await page.locator('#account').isHidden()).toBe(true);
      await page.locator('#totp-code').fill(codeNow(app, secret));
      await page.getByRole('button', { name: 'Verify the code' }).click();
      await expectStatus(page, 'Second factor proved.');
      await expect.poll(() => sessionsText(page)).toMatch(/This session .* assurance 2/);
      await logOutOnPage(page);

      await logInOnPage(page, 'totp@example.com', PASSWORD);
      await expectShown(page, '#step-up');
      await page.locator('#recovery-code').fill('AAAA-AAAA-AAAA-AAAA-AAAA-AAAA');
      await page.getByRole('button', { name: 'Use the recovery code' }).click();
      await expectStatus(page, 'This code is not valid');
      expect(await page.locator('#step-up').isVisible()).toBe(true);
      await page.locator('#recovery-code').fill(recoveryCodes[0] ?? '');
      await page.getByRole('button', { name: 'Use the recovery code' }).click();
      await expectStatus(page, 'Second factor proved.');
      await expect.poll(() => page.locator('#profile').textContent()).toContain('9 recovery codes');

      await page
        .locator('#factors li', { hasText: 'Authenticator app' })
        .getByRole('button', { name: 'Remove' })
        .click();
      await expectStatus(page, 'The factor was removed.');
      expect(await page.locator('#factors').textContent()).toBe('No second factor yet.');
      expect(await page.locator('#profile').textContent()).toContain('no second factor');
      const removed = (await account.exchanges()).find(
        (exchange) => exchange.operation === 'RemoveMfaFactor',
      );
      expect(removed?.answer.data).toEqual({ removeMfaFactor: true });
    });
    expect(account.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('escapes what it shows: a user agent with markup stays text', async () => {
    const { app, origin } = bearer;
    await app.signUp('escape@example.com');
    await app.graphql(
      'mutation { login(input: { email: "escape@example.com", password: "correct horse battery" }) { accessToken } }',
      { headers: { 'user-agent': '<img src=x onerror="document.title=1">' } },
    );
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await withScreenshotOnFailure(page, 'account-page-escape', async () => {
      await logInOnPage(page, 'escape@example.com', PASSWORD);
      await expect.poll(() => sessionsText(page), { timeout: 15_000 }).toContain('<img src=x');
      expect(await page.locator('#sessions img').count()).toBe(0);
      expect(await page.title()).toBe('Your account');
    });
    expect(account.errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describe.skipIf(!hasChromium)('the account page in cookie mode', () => {
  it('never holds the refresh token: the cookie resumes, reissues and ends the session', async () => {
    const { app, origin } = cookie;
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await withScreenshotOnFailure(page, 'account-page-cookie', async () => {
      await signUpOnPage(page, 'cookie@example.com', PASSWORD);
      const signUp = (await account.exchanges()).find(
        (exchange) => exchange.operation === 'SignUp',
      );
      expect(signUp?.query).not.toContain('refreshToken');
      expect(signUp?.answer.data?.signUp).not.toHaveProperty('refreshToken');
      const cookies = await chromium.context.cookies(`${origin}/graphql`);
      expect(cookies.map((stored) => [stored.name, stored.httpOnly])).toEqual([
        ['refresh_token', true],
      ]);

      // A reload forgets the access token; the cookie brings the session back.
      await page.reload();
      await expect
        .poll(() => page.locator('#who').textContent(), { timeout: 15_000 })
        .toBe('cookie@example.com');
      await expect.poll(() => sessionsText(page)).toContain('This session');

      app.clock.advanceSeconds(PAST_ACCESS_TOKEN_TTL);
      const before = (await account.exchanges()).length;
      await logOutOnPage(page);
      const since = (await account.exchanges()).slice(before);
      expect(operations(since)).toEqual(['Logout', 'Reissue', 'Logout']);
      expect(reasonsOf(since)).toEqual(['TOKEN_EXPIRED', null, null]);
      // The reissue carried no Authorization header: the cookie was the refresh token.
      expect(since[1]?.authorization).toBeNull();

      // Logged out, the cookie is gone: a reload stays signed out.
      await page.reload();
      await expectShown(page, '#signed-out');
      await expect.poll(async () => operations(await account.exchanges()).at(-1)).toBe('Reissue');
      expect(await page.locator('#session-bar').isHidden()).toBe(true);
    });
    // No answer the page received held a refresh token, and no reissue sent one.
    for (const exchange of await account.exchanges()) {
      expect(JSON.stringify(exchange.answer)).not.toContain('refreshToken');
      if (exchange.operation === 'Reissue') expect(exchange.authorization).toBeNull();
    }
    expect(account.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
