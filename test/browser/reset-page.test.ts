import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxSender } from '../../src/auth/recovery/deliver-outbox.js';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';
import { createTestApp, firstError, type TestApp } from '../helpers/app.js';
import { type ListeningSocket, listenOnFreePort } from '../helpers/listen.js';
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp-peer.js';

// Issue 13: the built-in reset page in a real browser (Debian's Chromium, driven by
// playwright-core), opened from the link of a mail received over SMTP.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing in CI: .ci/run should have installed it`);
}
if (!hasChromium) {
  console.warn(`Skipping the reset page browser test: ${CHROMIUM} is missing.`);
}

let app: TestApp;
let http: ListeningSocket;
let peer: SmtpPeer;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!hasChromium) return;
  // The socket first: PUBLIC_URL, the base of the mailed links, is its origin.
  http = await listenOnFreePort((request, response) => app.yoga(request, response));
  app = await createTestApp({
    PUBLIC_URL: http.origin,
    ALLOWED_ORIGINS: 'https://app.example.com',
  });
  peer = await startSmtpPeer();
  profile = mkdtempSync(join(tmpdir(), 'reset-page-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await http?.close();
  await peer?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('the built-in reset page in Chromium', () => {
  it('opens from the mailed link, takes a new password, and the new password logs in', async () => {
    const old = await app.signUp('browser@example.com', 'the old password here');
    await app.graphql('mutation { requestPasswordReset(email: "browser@example.com") }');
    const sender = createOutboxSender({
      store: app.deps.store,
      mailer: createSmtpMailer(`smtp://127.0.0.1:${peer.port}`, 'Auth <auth@example.com>', 5_000),
      clock: app.clock,
      links: app.config.links,
      messageIdDomain: 'example.com',
      maxAgeMs: 86_400_000,
      sendTimeoutMs: 5_000,
      observer: { sent() {}, retried() {}, dropped() {}, deadLettered() {} },
    });
    await sender.deliverDue();
    const mail = peer.received.find((received) => received.subject === 'Reset your password');
    const link = /https?:\/\/\S+/.exec(mail?.text ?? '')?.[0];
    expect(link?.startsWith(`${http.origin}/reset-password?token=`)).toBe(true);

    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    try {
      await page.goto(link ?? '');
      // Opening the page consumed nothing: the session still lives.
      const stillLive = await app.graphql('{ me { email } }', { token: old.accessToken });
      expect(stillLive.data).toEqual({ me: { email: 'browser@example.com' } });

      await page.getByLabel('New password', { exact: true }).fill('a new password from chromium');
      await page.getByLabel('The new password again').fill('a new password from chromium');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await expect
        .poll(() => page.locator('#result').textContent(), { timeout: 15_000 })
        .toContain('Your password was changed');
    } catch (error) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `reset-page-${Date.now()}.png`);
      await page.screenshot({ path, fullPage: true });
      throw new Error(`${(error as Error).message}\nScreenshot: ${path}`, { cause: error });
    }
    // The strict CSP let the page's own script and style run, and nothing else was refused.
    expect(violations).toEqual([]);

    await app.login('browser@example.com', 'a new password from chromium');
    const oldPassword = await app.graphql(
      'mutation { login(input: { email: "browser@example.com", password: "the old password here" }) { accessToken } }',
    );
    expect(firstError(oldPassword)).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
    const oldSession = await app.graphql('{ me { email } }', { token: old.accessToken });
    expect(firstError(oldSession)).toMatchObject({ reason: 'SESSION_REVOKED' });
  }, 60_000);
});
