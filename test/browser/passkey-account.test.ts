import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectShown,
  expectStatus,
  type GraphQLExchange,
  logInOnPage,
  logOutOnPage,
  type OpenAccountPage,
  openAccountPage,
  signUpOnPage,
} from '../helpers/account-page.js';
import { createTestApp, decodeJwtPart, PASSWORD, type TestApp } from '../helpers/app.js';
import {
  type Chromium,
  chromiumIsThere,
  launchChromium,
  withScreenshotOnFailure,
} from '../helpers/chromium.js';
import { type ListeningSocket, listenOnFreePort } from '../helpers/listen.js';

// Passkeys on the built-in account page, in Chromium with a CDP virtual authenticator: sign up,
// register a passkey, log out, log in with the passkey alone. WebAuthn needs a secure context,
// which http://localhost is; the relying party is AUTH_ISSUER's host, so the page is opened at
// AUTH_ISSUER's origin.

const hasChromium = chromiumIsThere('the passkey account page browser test');

let app: TestApp;
let http: ListeningSocket;
let origin: string;
let chromium: Chromium;

beforeAll(async () => {
  if (!hasChromium) return;
  http = await listenOnFreePort((request, response) => app.yoga(request, response));
  origin = http.origin.replace('127.0.0.1', 'localhost');
  app = await createTestApp({ AUTH_ISSUER: origin, PUBLIC_URL: origin });
  chromium = await launchChromium('passkey-account');
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await http?.close();
  await app?.close();
});

/** A virtual platform authenticator that keeps discoverable credentials, on `page`'s tab. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await chromium.context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** Signs up on the page and registers a passkey named `name`; returns the recovery codes shown. */
async function signUpWithPasskey(account: OpenAccountPage, email: string, name: string) {
  const { page } = account;
  await signUpOnPage(page, email, PASSWORD);
  await page.locator('#passkey-name').fill(name);
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await expectStatus(page, 'The passkey is registered.');
  await expect
    .poll(() => page.locator('#factors').textContent())
    .toMatch(new RegExp(`Passkey \u00b7 ${name}`));
  return page.locator('#recovery-codes li').allTextContents();
}

/** The `finishPasskeyLogin` answer the page receives after clicking "Log in with a passkey". */
async function clickPasskeyLogin(page: Page) {
  const finished = page.waitForResponse(
    (response) =>
      response.url() === `${origin}/graphql` &&
      response.request().postData()?.includes('FinishPasskeyLogin') === true,
  );
  await page.getByRole('button', { name: 'Log in with a passkey' }).click();
  return finished;
}

/** Clicks "Log in with a passkey" and waits for the error it ends with, signed out still. */
async function clickAndExpectRefusal(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Log in with a passkey' });
  await button.click();
  // The click disabled every button; they are enabled again when the attempt has ended.
  await expect.poll(() => button.isEnabled(), { timeout: 15_000 }).toBe(true);
  expect(await page.locator('#result').getAttribute('class')).toBe('error');
  expect(await page.locator('#result').textContent()).not.toBe('');
  await expectShown(page, '#signed-out');
  expect(await page.locator('#session-bar').isHidden()).toBe(true);
}

describe.skipIf(!hasChromium)('passkeys on the account page in Chromium', () => {
  it('registers a passkey, then logs in with it and no password, at assurance 2', async () => {
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await addAuthenticator(page);
    await withScreenshotOnFailure(page, 'passkey-account', async () => {
      const codes = await signUpWithPasskey(account, 'passkey@example.com', 'Laptop');
      // The first factor comes with the recovery codes, shown this once.
      expect(codes).toHaveLength(10);
      // The session moved to assurance 2: the page uses the tokens of the confirmation.
      const registered = (await account.exchanges()).find(
        (exchange) => exchange.operation === 'FinishPasskeyRegistration',
      );
      const confirmation = registered?.answer.data?.finishPasskeyRegistration as {
        tokens: { accessToken: string };
      };
      expect(decodeJwtPart(confirmation.tokens.accessToken, 1)).toMatchObject({ aal: 'aal2' });
      const after = (await account.exchanges()).filter(
        (exchange) => exchange.operation === 'MySessions',
      );
      expect(after.at(-1)?.authorization).toBe(`Bearer ${confirmation.tokens.accessToken}`);

      await logOutOnPage(page);
      // No email: the browser offers the passkeys it holds for this service (discoverable).
      await page.locator('#login-email').fill('');
      const finished = await clickPasskeyLogin(page);
      const answer = (await finished.json()) as {
        data: { finishPasskeyLogin: { accessToken: string; refreshToken: string } };
      };
      const { accessToken } = answer.data.finishPasskeyLogin;
      expect(decodeJwtPart(accessToken, 1)).toMatchObject({ aal: 'aal2', amr: ['hwk'] });

      // `me` answers the page with the new token: the profile line comes from it.
      await expect
        .poll(() => page.locator('#who').textContent(), { timeout: 15_000 })
        .toBe('passkey@example.com');
      await expect.poll(() => page.locator('#profile').textContent()).toContain('second factor on');
      const me = (await account.exchanges()).filter((exchange) => exchange.operation === 'Me');
      expect(me.at(-1)).toMatchObject({
        authorization: `Bearer ${accessToken}`,
        answer: { data: { me: { email: 'passkey@example.com', mfaEnabled: true } } },
      });
      const inProcess = await app.graphql('{ me { email } }', { token: accessToken });
      expect(inProcess.data).toEqual({ me: { email: 'passkey@example.com' } });
      // The full session's sessions list: the passkey login is this session.
      await expect
        .poll(() => page.locator('#sessions').textContent())
        .toMatch(/This session .* assurance 2/);
    });
    expect(account.errors).toEqual([]);
    expect(account.elsewhere).toEqual([]);
    await page.close();
  }, 60_000);

  it('logs no one in when the authenticator does not verify the user', async () => {
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    const authenticator = await addAuthenticator(page);
    await withScreenshotOnFailure(page, 'passkey-account-unverified', async () => {
      await signUpWithPasskey(account, 'unverified@example.com', 'Phone');
      await logOutOnPage(page);
      const before = (await account.exchanges()).length;
      await authenticator.cdp.send('WebAuthn.setUserVerified', {
        authenticatorId: authenticator.id,
        isUserVerified: false,
      });
      await page.locator('#login-email').fill('unverified@example.com');

      // The service asks for user verification: Chromium refuses to sign without it.
      await clickAndExpectRefusal(page);
      // A browser that ignored the request: the page gets the options with `userVerification`
      // discouraged, the authenticator signs without verifying, and the service refuses.
      await page.route(`${origin}/graphql`, async (route) => {
        const response = await route.fetch();
        if (!route.request().postData()?.includes('StartPasskeyLogin')) {
          return route.fulfill({ response });
        }
        const answer = (await response.json()) as {
          data: { startPasskeyLogin: { options: Record<string, unknown> } };
        };
        answer.data.startPasskeyLogin.options.userVerification = 'discouraged';
        return route.fulfill({ response, json: answer });
      });
      const finished = page.waitForResponse(
        (response) => response.request().postData()?.includes('FinishPasskeyLogin') === true,
      );
      await clickAndExpectRefusal(page);
      const refusal = (await (await finished).json()) as GraphQLExchange['answer'];
      expect(refusal.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      await page.unroute(`${origin}/graphql`);

      // No token reached the page after the logout.
      const since = (await account.exchanges()).slice(before);
      expect(since.map((exchange) => exchange.operation)).toEqual([
        'StartPasskeyLogin',
        'StartPasskeyLogin',
        'FinishPasskeyLogin',
      ]);
      for (const exchange of since) {
        expect(JSON.stringify(exchange.answer)).not.toContain('accessToken');
      }
    });
    expect(account.errors).toEqual([]);
    await page.close();
  }, 60_000);
  it('asks for the password when the login is stale, and offers the passkey as step-up', async () => {
    const account = await openAccountPage(chromium.context, origin);
    const { page } = account;
    await addAuthenticator(page);
    await withScreenshotOnFailure(page, 'passkey-account-step-up', async () => {
      await signUpOnPage(page, 'stepup@example.com', PASSWORD);
      // Past REAUTH_MAX_AGE (and the access token's lifetime): adding a passkey needs the
      // password again.
      app.clock.advanceSeconds(16 * 60);
      await page.getByRole('button', { name: 'Register a passkey' }).click();
      await expectStatus(page, 'Enter your current password, then register again.');
      await page.locator('#passkey-password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Register a passkey' }).click();
      await expectStatus(page, 'The passkey is registered.');
      expect(await page.locator('#passkey-password-row').isHidden()).toBe(true);
      await logOutOnPage(page);

      // The password alone leaves the session restricted; the passkey lifts it.
      await logInOnPage(page, 'stepup@example.com', PASSWORD);
      await expectShown(page, '#step-up');
      const verified = page.waitForResponse(
        (response) => response.request().postData()?.includes('FinishPasskeyVerification') === true,
      );
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      const answer = (await (await verified).json()) as {
        data: { finishPasskeyVerification: { accessToken: string; restrictions: string[] } };
      };
      const { accessToken, restrictions } = answer.data.finishPasskeyVerification;
      expect(restrictions).toEqual([]);
      expect(decodeJwtPart(accessToken, 1)).toMatchObject({ aal: 'aal2', amr: ['pwd', 'hwk'] });
      await expectStatus(page, 'Second factor proved.');
      await expect.poll(() => page.locator('#sessions').textContent()).toContain('This session');

      // A fresh step-up is a recent authentication: the passkey can be removed.
      await page
        .locator('#factors li', { hasText: 'Passkey' })
        .getByRole('button', { name: 'Remove' })
        .click();
      await expectStatus(page, 'The factor was removed.');
      expect(await page.locator('#factors').textContent()).toBe('No second factor yet.');
    });
    expect(account.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
