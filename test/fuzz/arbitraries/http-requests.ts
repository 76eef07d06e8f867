import fc from 'fast-check';
import { oddString } from './odd-strings.js';

// Requests at the HTTP level: methods, paths, header names and values, content types, bodies
// and declared lengths, including the ones no client library would send. Header values stay
// within what HTTP can carry (Latin-1, no CR, LF or NUL): node's parser refuses the rest
// before the service sees it, and so does the Fetch API's Headers class.

const HEADER_CHARACTER = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 8 },
  { arbitrary: fc.integer({ min: 0x80, max: 0xff }), weight: 1 },
  { arbitrary: fc.constant(0x09), weight: 1 },
);

/** Any value an HTTP header can carry. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.array(HEADER_CHARACTER, { maxLength: 60 }).map((codes) => String.fromCharCode(...codes)),
  fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'bearer x.y.z', 'Basic dXNlcjpwYXNz', 'Bearer a.b'),
  fc.integer({ min: 4000, max: 9000 }).map((n) => `Bearer ${'A'.repeat(n)}`),
);

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/;

/** Header names the service reads, or might be confused by, and arbitrary ones. */
const headerName = fc.oneof(
  fc.constantFrom(
    'accept',
    'accept-encoding',
    'authorization',
    'content-type',
    'content-encoding',
    'cookie',
    'origin',
    'referer',
    'user-agent',
    'x-forwarded-for',
    'x-real-ip',
    'forwarded',
    'x-graphql-yoga-csrf',
    'apollo-require-preflight',
    'access-control-request-method',
    'access-control-request-headers',
    'transfer-encoding',
    'expect',
    'x-http-method-override',
  ),
  fc.stringMatching(TCHAR),
);

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/graphql-response+json',
  'application/graphql+json',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'application/json;;;',
  'APPLICATION/JSON',
  '*/*',
] as const;

const ACCEPTS = [
  'application/json',
  'application/graphql-response+json',
  'text/event-stream',
  'multipart/mixed',
  'text/html',
  '*/*',
  'image/png',
  'application/json;q=0',
  'text/html, application/json;q=0.1',
] as const;

const PATHS = [
  '/graphql',
  '/graphql/',
  '/GRAPHQL',
  '//graphql',
  '/graphql/../graphql',
  '/graphql%00',
  '/health',
  '/ready',
  '/metrics',
  '/.well-known/jwks.json',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/',
  '/favicon.ico',
] as const;

/** A path and query string; odd bytes are percent-encoded, as they would be on the wire. */
const path = fc.oneof(
  { arbitrary: fc.constantFrom(...PATHS), weight: 6 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 30 }))
      .map(
        ([base, bytes]) =>
          `${base}?${[...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`,
      ),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('/graphql', '/ready'), oddString)
      .map(
        ([base, value]) =>
          `${base}?query=${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '?'))}`,
      ),
    weight: 1,
  },
);

/** What the Content-Length header says about the body. */
export type DeclaredLength = 'exact' | 'absent' | 'shorter' | 'too-large' | 'garbage';

export interface HttpCase {
  readonly mode: 'production' | 'cookie';
  readonly method: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly contentType: string | null;
  readonly accept: string | null;
  readonly body: string | null;
  readonly length: DeclaredLength;
  readonly token: 'none' | 'access' | 'refresh';
}

const body = fc.oneof(
  fc.constant('{"query":"{ __typename }"}'),
  fc.constant('{"query":"{ me { id email } }"}'),
  fc.constant('{"query":"mutation { reissue { accessToken } }"}'),
  fc.constant('query={__typename}'),
  fc.constant('{ __typename }'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .jsonValue()
    .map((value) =>
      JSON.stringify({ query: '{ __typename }', variables: value, extensions: value }),
    ),
  oddString,
  fc.constant(''),
);

export const httpCase: fc.Arbitrary<HttpCase> = fc.record({
  mode: fc.constantFrom('production' as const, 'cookie' as const),
  method: fc.oneof(
    {
      arbitrary: fc.constantFrom(
        'GET',
        'POST',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'HEAD',
        'OPTIONS',
      ),
      weight: 9,
    },
    {
      arbitrary: fc
        .stringMatching(/^[A-Z]{1,10}$/)
        .filter((m) => !['CONNECT', 'TRACE', 'TRACK'].includes(m)),
      weight: 1,
    },
  ),
  path,
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
  contentType: fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue), { freq: 8 }),
  accept: fc.option(fc.oneof(fc.constantFrom(...ACCEPTS), headerValue), { freq: 2 }),
  body: fc.option(body, { freq: 8 }),
  length: fc.constantFrom<DeclaredLength>(
    'exact',
    'exact',
    'exact',
    'absent',
    'shorter',
    'too-large',
    'garbage',
  ),
  token: fc.constantFrom('none' as const, 'access' as const, 'refresh' as const),
});
