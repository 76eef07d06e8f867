import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

// GraphiQL in a real browser: Debian's Chromium driven by playwright-core (which never downloads
// a browser). `.ci/run` installs the `chromium` package when it is missing.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;
const EXAMPLE_EMAIL = 'ada@example.com'; // the address in the example SignUp operation

// In CI the browser must be there (`.ci/run` installs it). On a developer's machine without it
// the test is skipped, saying why, so `npm test` still passes there.
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing in CI: .ci/run should have installed it`);
}
if (!hasChromium) {
  console.warn(
    `Skipping the GraphiQL browser test: ${CHROMIUM} is missing (apt-get install chromium).`,
  );
}

let app: TestApp;
let http: Listening;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!hasChromium) return;
  app = await createTestApp({ NODE_ENV: 'development' });
  http = await listen(app.yoga);
  profile = mkdtempSync(join(tmpdir(), 'graphiql-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await http?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Runs `steps`; on failure saves a screenshot under test-results/screenshots and rethrows. */
async function withScreenshotOnFailure(page: Page, name: string, steps: () => Promise<void>) {
  try {
    await steps();
  } catch (error) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}-${Date.now()}.png`);
    await page.screenshot({ path, fullPage: true });
    throw new Error(`${(error as Error).message}\nScreenshot: ${path}`, { cause: error });
  }
}

/** The text an editor pane shows (Monaco renders spaces as no-break spaces). */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replaceAll('\u00a0', ' ');
}

/** Clicks Run; with several operations in the editor, GraphiQL asks which one. */
async function runOperation(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.locator('.graphiql-dropdown-item', { hasText: new RegExp(`^${name}$`) }).click();
}

describe.skipIf(!hasChromium)('GraphiQL at /graphql', () => {
  it('signs up, takes the token into the Headers tab, and shows `me` in the result pane', async () => {
    const page = await context.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(http.origin) && !/^(blob|data):/.test(url)) elsewhere.push(url);
    });

    await withScreenshotOnFailure(page, 'graphiql', async () => {
      await page.goto(http.url);
      const editor = page.locator('.graphiql-query-editor');
      // The example operations and the note on the header are there from the start.
      await expect.poll(() => textOf(editor), { timeout: 30_000 }).toContain('mutation SignUp');
      expect(await textOf(editor)).toContain('Headers tab');

      const signUpResponse = page.waitForResponse(
        (response) =>
          response.url() === http.url && response.request().postData()?.includes('SignUp') === true,
      );
      await runOperation(page, 'SignUp');
      const signUp = (await (await signUpResponse).json()) as {
        data: { signUp: { accessToken: string } };
      };
      const { accessToken } = signUp.data.signUp;
      const result = page.locator('.graphiql-response');
      await expect.poll(() => textOf(result)).toContain('accessToken');

      await page.getByRole('button', { name: 'Headers' }).click();
      await page.locator('.graphiql-editor-tool .monaco-editor').last().click();
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${accessToken}` }));

      await runOperation(page, 'Me');
      await expect.poll(() => textOf(result)).toContain(`"email": "${EXAMPLE_EMAIL}"`);
      expect(await textOf(result)).not.toContain('UNAUTHENTICATED');
    });
    expect(scriptErrors).toEqual([]);
    // Everything the page used came from this server: it works offline, with no CDN.
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
