import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CSRF_HEADERS } from '../../src/http/graphql-hardening.js';
import { type Answer, errorsOf, expectDocumentedAnswer, readAnswer } from './answer-properties.js';
import type { Json } from './arbitraries/graphql-values.js';
import { headerValue } from './arbitraries/http-requests.js';
import type { GeneratedOperation } from './arbitraries/operation-parts.js';
import { garbledOperation, limitOperation } from './arbitraries/operation-shapes.js';
import { looseOperation, wellFormedOperation } from './arbitraries/operations.js';
import { type FuzzApp, openFuzzApp, PRODUCTION, type Who } from './fuzz-app.js';
import { fuzzTestTimeout, printReport, runFuzz, SET_UP_MS } from './fuzz-run.js';

// Random operations from schema.graphql, with random variables and whichever credentials, sent
// to the server as a client would: the answer is documented, coded and clean, and the server
// keeps answering (its real sessions still work, or are replaced when a case ended them).

type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly who: Who; readonly type: 'access' | 'refresh' }
  | { readonly kind: 'header'; readonly value: string };

interface OperationCase {
  readonly mode: 'production' | 'test';
  readonly credentials: Credentials;
  readonly method: 'POST' | 'GET';
  readonly operation: GeneratedOperation;
  /** Replaces the operation's variables: any JSON, object or not. */
  readonly variables: { readonly value: Json } | null;
}

/** Mostly a real token, since most fields need one; the token suite fuzzes the tokens. */
const credentials: fc.Arbitrary<Credentials> = fc.oneof(
  fc.constant({ kind: 'none' } as const),
  {
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      who: fc.constantFrom<Who>('user', 'admin'),
      type: fc.constantFrom('access' as const, 'access' as const, 'refresh' as const),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('header' as const), value: headerValue }),
);

const operationCase: fc.Arbitrary<OperationCase> = fc.record({
  mode: fc.constantFrom('production' as const, 'test' as const),
  credentials,
  method: fc.constantFrom('POST' as const, 'POST' as const, 'POST' as const, 'GET' as const),
  // Most operations validate, so that the resolvers run on what the fuzz sends them.
  operation: fc.oneof(
    { arbitrary: wellFormedOperation, weight: 12 },
    { arbitrary: looseOperation, weight: 4 },
    { arbitrary: limitOperation, weight: 1 },
    { arbitrary: garbledOperation, weight: 1 },
  ),
  // One case in sixteen sends random JSON as the variables instead of the operation's own.
  variables: fc.oneof(
    { arbitrary: fc.constant(null), weight: 15 },
    fc.record({ value: fc.jsonValue().map((value) => value as Json) }),
  ),
});

let apps: Record<OperationCase['mode'], FuzzApp>;
/** Cases that got past parsing and validation, so that resolvers ran on what they sent. */
let executed = 0;

function reachedResolvers(answer: Answer): boolean {
  const codes = errorsOf(answer).map((error) => error.extensions?.code);
  return (
    answer.status === 200 &&
    !codes.includes('GRAPHQL_PARSE_FAILED') &&
    !codes.includes('GRAPHQL_VALIDATION_FAILED')
  );
}

beforeAll(async () => {
  apps = { production: await openFuzzApp(PRODUCTION), test: await openFuzzApp({}) };
}, SET_UP_MS);

afterAll(async () => {
  await apps.production.close();
  await apps.test.close();
});

function authorization(target: FuzzApp, given: Credentials): Record<string, string> {
  if (given.kind === 'none') return {};
  if (given.kind === 'header') return { authorization: given.value };
  const { pair } = target.identity(given.who);
  return {
    authorization: `Bearer ${given.type === 'access' ? pair.accessToken : pair.refreshToken}`,
  };
}

/** The request as a client sends it: JSON POST, or GET with the parameters in the URL. */
function request(target: FuzzApp, given: OperationCase): { path: string; init: RequestInit } {
  const { query, operationName } = given.operation;
  const variables = given.variables === null ? given.operation.variables : given.variables.value;
  const headers = { ...authorization(target, given.credentials) };
  const search = given.method === 'GET' ? searchOf(query, variables, operationName) : null;
  if (search !== null) {
    // Without a CSRF header yoga refuses every GET; the HTTP suite covers that refusal.
    return {
      path: `/graphql?${search}`,
      init: { method: 'GET', headers: { ...headers, [CSRF_HEADERS[0] ?? '']: '1' } },
    };
  }
  const body = JSON.stringify({ query, variables, operationName });
  return {
    path: '/graphql',
    init: {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    },
  };
}

const MAX_SEARCH_LENGTH = 8 * 1024;

// With the u flag a surrogate pair is one code point: this matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** URL parameters, or null when they are too long for a URL or the query cannot be encoded. */
function searchOf(query: string, variables: Json, operationName: string | null): string | null {
  if (LONE_SURROGATE.test(query)) return null;
  const params = new URLSearchParams({ query, variables: JSON.stringify(variables) });
  if (operationName !== null) params.set('operationName', operationName);
  const search = params.toString();
  // Node refuses a request line and headers over 16 KiB before the service sees them.
  return search.length > MAX_SEARCH_LENGTH ? null : search;
}

async function checkOperation(given: OperationCase): Promise<void> {
  const target = apps[given.mode];
  // Live sessions to start from, even after a case that failed (shrinking runs more).
  await target.checkSessions();
  const { path, init } = request(target, given);
  const answer = await readAnswer(await target.send(path, init));
  expectDocumentedAnswer(answer, given.method);
  if (reachedResolvers(answer)) executed++;
  await target.checkSessions();
}

describe('fuzz: operations from schema.graphql', () => {
  it('answer with a documented status and coded errors, leak nothing, and keep the server up', {
    timeout: fuzzTestTimeout(),
  }, async () => {
    const report = await runFuzz({
      suite: 'operations',
      arbitrary: operationCase,
      check: checkOperation,
      ciRuns: 2000,
    });
    const slowest = Math.max(apps.production.slowestAnswerMs(), apps.test.slowestAnswerMs());
    printReport(report, `${executed} reached the resolvers; slowest answer ${slowest} ms`);
  });
});
