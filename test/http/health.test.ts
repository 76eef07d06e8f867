import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

describe('GET /health', () => {
  it('answers 200 while the process serves, whatever the store does', async () => {
    app = await createTestApp();
    await app.close();
    const response = await app.yoga.fetch('http://yoga/health');
    expect(response.status).toBe(200);
  });
});

describe('GET /ready', () => {
  it('answers 200 when the store answers', async () => {
    app = await createTestApp();
    const response = await app.yoga.fetch('http://yoga/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('answers 503 once the store is closed, and says why only in the log', async () => {
    const lines: string[] = [];
    app = await createTestApp({}, { logger: createJsonLogger((line) => lines.push(line)) });
    await app.close();
    const response = await app.yoga.fetch('http://yoga/ready');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable' });
    expect(lines.join('')).toContain('not ready: the store does not answer');
    expect(lines.join('')).toContain('database connection is not open');
  });
});
