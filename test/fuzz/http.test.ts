import { afterAll, beforeAll, describe, it } from 'vitest';
import { REFRESH_TOKEN_COOKIE_NAME } from '../../src/http/refresh-cookie.js';
import { expectDocumentedAnswer, readAnswer } from './answer-properties.js';
import { type HttpCase, httpCase } from './arbitraries/http-requests.js';
import { COOKIE_MODE, type FuzzApp, openFuzzApp, PRODUCTION } from './fuzz-app.js';
import { fuzzTestTimeout, printReport, runFuzz, SET_UP_MS } from './fuzz-run.js';

// Random methods, paths, headers, content types, bodies and declared lengths against every
// endpoint, in production mode and in cookie mode (Origin allow-list, metrics token).

let apps: Record<HttpCase['mode'], FuzzApp>;

beforeAll(async () => {
  apps = { production: await openFuzzApp(PRODUCTION), cookie: await openFuzzApp(COOKIE_MODE) };
}, SET_UP_MS);

afterAll(async () => {
  await apps.production.close();
  await apps.cookie.close();
});

/** Far above MAX_REQUEST_BYTES (2 MiB by default). */
const TOO_LARGE = String(64 * 1024 * 1024);

/**
 * The request as node's HTTP server would hand it over: a body never outlasts its declared
 * length (the parser holds it to that, and the rest is the next request), GET and HEAD have none.
 */
function request(target: FuzzApp, given: HttpCase): RequestInit {
  const headers = new Headers();
  for (const [name, value] of given.headers) headers.append(name, value);
  if (given.contentType !== null) headers.set('content-type', given.contentType);
  if (given.accept !== null) headers.set('accept', given.accept);
  const { pair } = target.identity('user');
  if (given.token === 'access') headers.set('authorization', `Bearer ${pair.accessToken}`);
  if (given.token === 'refresh') {
    if (given.mode === 'cookie')
      headers.set('cookie', `${REFRESH_TOKEN_COOKIE_NAME}=${pair.refreshToken}`);
    else headers.set('authorization', `Bearer ${pair.refreshToken}`);
  }
  headers.delete('content-length');
  const bodyless = given.method === 'GET' || given.method === 'HEAD';
  let body: string | Uint8Array<ArrayBuffer> | null = bodyless ? null : given.body;
  if (given.body !== null && body !== null) {
    const bytes = Buffer.from(given.body);
    if (given.length === 'exact') headers.set('content-length', String(bytes.length));
    if (given.length === 'too-large') headers.set('content-length', TOO_LARGE);
    if (given.length === 'garbage') headers.set('content-length', '12, 12');
    if (given.length === 'shorter') {
      const declared = Math.floor(bytes.length / 2);
      headers.set('content-length', String(declared));
      body = new Uint8Array(bytes.subarray(0, declared));
    }
  }
  return { method: given.method, headers, body };
}

async function checkHttp(given: HttpCase): Promise<void> {
  const target = apps[given.mode];
  // Live sessions to start from, even after a case that failed (shrinking runs more).
  await target.checkSessions();
  const response = await target.send(given.path, request(target, given));
  expectDocumentedAnswer(await readAnswer(response), given.method);
  await target.checkSessions();
}

describe('fuzz: HTTP requests', () => {
  it('answer with a documented status and coded errors, leak nothing, and keep the server up', {
    timeout: fuzzTestTimeout(),
  }, async () => {
    const report = await runFuzz({
      suite: 'http',
      arbitrary: httpCase,
      check: checkHttp,
      ciRuns: 8000,
    });
    const slowest = Math.max(apps.production.slowestAnswerMs(), apps.cookie.slowestAnswerMs());
    printReport(report, `slowest answer ${slowest} ms`);
  });
});
