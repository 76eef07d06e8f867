import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

// Driving the built-in account page (/account) in a browser, and watching what it sends.

export interface GraphQLExchange {
  /** The operation's name (every operation of the page has one). */
  readonly operation: string;
  readonly authorization: string | null;
  readonly query: string;
  readonly answer: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: readonly { extensions?: Record<string, unknown> }[];
  };
}

export interface OpenAccountPage {
  readonly page: Page;
  /** Console errors (CSP refusals among them) and uncaught exceptions. */
  readonly errors: string[];
  /** Requests to any other origin than the page's. */
  readonly elsewhere: string[];
  /** Every GraphQL call the page made so far, with its answer, in order. */
  exchanges(): Promise<GraphQLExchange[]>;
}

/** Opens `<origin>/account` in a new tab of `context`, recording what it does. */
export async function openAccountPage(
  context: BrowserContext,
  origin: string,
): Promise<OpenAccountPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  const elsewhere: string[] = [];
  const pending: Promise<GraphQLExchange>[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) elsewhere.push(request.url());
  });
  page.on('response', (response) => {
    if (response.url() !== `${origin}/graphql`) return;
    const request = response.request();
    const { query } = JSON.parse(request.postData() ?? '{}') as { query: string };
    pending.push(
      response.json().then((answer: GraphQLExchange['answer']) => ({
        operation: /^(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '(anonymous)',
        authorization: request.headers().authorization ?? null,
        query,
        answer,
      })),
    );
  });
  await page.goto(`${origin}/account`);
  return { page, errors, elsewhere, exchanges: () => Promise.all(pending) };
}

/** Waits until the page's status line says `text`. */
export async function expectStatus(page: Page, text: string | RegExp): Promise<void> {
  const status = page.locator('#result');
  await expect
    .poll(() => status.textContent(), { timeout: 15_000 })
    .toMatch(typeof text === 'string' ? new RegExp(escapeRegExp(text)) : text);
}

/** Waits until `selector` is shown (hidden elements have the `hidden` attribute). */
export async function expectShown(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'visible', timeout: 15_000 });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function signUpOnPage(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#signup-email').fill(email);
  await page.locator('#signup-password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe(email);
}

export async function logInOnPage(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

export async function logOutOnPage(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expectStatus(page, 'You are logged out.');
  await expectShown(page, '#signed-out');
}
