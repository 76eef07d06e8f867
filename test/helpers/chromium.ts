import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core (which never downloads a browser of its own).
// `.ci/run` installs the `chromium` package when it is missing.

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

/**
 * Whether Chromium is there. In CI it must be; on a developer's machine without it the suite
 * named `what` is skipped, saying why.
 */
export function chromiumIsThere(what: string): boolean {
  const there = existsSync(CHROMIUM);
  if (!there && process.env.CI) {
    throw new Error(`${CHROMIUM} is missing in CI: .ci/run should have installed it`);
  }
  if (!there) console.warn(`Skipping ${what}: ${CHROMIUM} is missing (apt-get install chromium).`);
  return there;
}

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium on a throwaway profile. */
export async function launchChromium(name: string): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), `${name}-chromium-`));
  const context = await chromium.launchPersistentContext(profile, {
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
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs `steps`; on failure saves a screenshot under test-results/screenshots and rethrows. */
export async function withScreenshotOnFailure(
  page: Page,
  name: string,
  steps: () => Promise<void>,
): Promise<void> {
  try {
    await steps();
  } catch (error) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}-${Date.now()}.png`);
    await page.screenshot({ path, fullPage: true });
    throw new Error(`${(error as Error).message}\nScreenshot: ${path}`, { cause: error });
  }
}
