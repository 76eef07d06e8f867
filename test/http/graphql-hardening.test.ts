import { afterEach, describe, expect, it } from 'vitest';
import { OPERATION_LIMITS } from '../../src/http/graphql-hardening.js';
import { createTestApp, firstError, PAIR_FIELDS, PASSWORD, type TestApp } from '../helpers/app.js';
import { TEST_MFA_KEYS } from '../helpers/config.js';

let app: TestApp;
afterEach(() => app.close());

const PRODUCTION = {
  NODE_ENV: 'production',
  ...TEST_MFA_KEYS,
  AUTH_ISSUER: 'https://auth.example.com',
  AUTH_AUDIENCE: 'https://api.example.com',
  SMTP_URL: 'smtp://smtp.example.com:587',
};

function post(body: string, headers: Record<string, string>) {
  return app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  });
}

const LIMIT_EXCEEDED = { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'OPERATION_LIMIT_EXCEEDED' };

/** Every operation the README documents, with every field it shows. */
const DOCUMENTED_OPERATIONS = [
  `mutation { signUp(input: { email: "doc@example.com", password: "${PASSWORD}", name: "Doc" }) { ${PAIR_FIELDS} user { name createdAt } } }`,
  `mutation { login(input: { email: "doc@example.com", password: "${PASSWORD}" }) { ${PAIR_FIELDS} } }`,
  '{ me { id email name roles createdAt } }',
  '{ users { id email name roles createdAt } }',
  '{ mySessions { id current createdAt lastUsedAt expiresAt userAgent ip } }',
  `{ auditEvents(filter: { types: [LOGIN_FAILED, LOGIN_SUCCEEDED], since: "2020-01-01T00:00:00.000Z" }, first: 100) {
      edges { cursor node { id type occurredAt userId sessionId actorId ip userAgent detail revokedSessions } }
      nodes { id type }
      pageInfo { hasNextPage endCursor } } }`,
  'mutation { revokeSession(id: "00000000-0000-0000-0000-000000000000") }',
  'mutation ($id: ID!) { revokeUserSessions(userId: $id) }',
  '{ me { mfaEnabled recoveryCodesRemaining } mfaFactors { id type name createdAt lastUsedAt } }',
  '{ mySessions { id assuranceLevel restrictions } }',
  `mutation { enrollTotp(currentPassword: "${PASSWORD}", name: "Phone") { factorId secret otpauthUri qrCodeSvg } }`,
  `mutation { changePassword(input: { currentPassword: "${PASSWORD}", newPassword: "another password" }) { ${PAIR_FIELDS} } }`,
  'mutation { logout(scope: OTHERS) }',
];

describe('operation limits (graphql-armor)', () => {
  it('let every documented operation through', async () => {
    app = await createTestApp({ ...PRODUCTION, AUTH_ADMIN_EMAILS: 'doc@example.com' });
    let token = '';
    for (const query of DOCUMENTED_OPERATIONS) {
      const response = await app.graphql<Record<string, { accessToken?: string }>>(query, {
        token,
        variables: query.includes('$id') ? { id: 'nobody' } : {},
      });
      expect(response.errors, query).toBeUndefined();
      token = response.data?.signUp?.accessToken ?? response.data?.login?.accessToken ?? token;
    }
  });

  it(`refuse more than ${OPERATION_LIMITS.maxAliases} aliases`, async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const allowed = await app.graphql(aliases(OPERATION_LIMITS.maxAliases), { token: accessToken });
    expect(allowed.errors).toBeUndefined();
    const refused = await app.graphql(aliases(OPERATION_LIMITS.maxAliases + 1), {
      token: accessToken,
    });
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.message).toMatch(/aliases limit/i);
    expect(refused.errors?.[0]?.extensions).toEqual(LIMIT_EXCEEDED);
  });

  it(`refuse more than ${OPERATION_LIMITS.maxDirectives} directives`, async () => {
    app = await createTestApp();
    const query = `{ me ${'@skip(if: true) '.repeat(OPERATION_LIMITS.maxDirectives + 1)}{ id } }`;
    const refused = await app.graphql(query);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.message).toMatch(/directives limit/i);
    expect(refused.errors?.[0]?.extensions).toEqual(LIMIT_EXCEEDED);
  });

  it(`refuse more than ${OPERATION_LIMITS.maxTokens} tokens before parsing the rest`, async () => {
    app = await createTestApp();
    const query = `{ ${'__typename '.repeat(OPERATION_LIMITS.maxTokens)}}`;
    const refused = await app.graphql(query);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.message).toMatch(/token limit/i);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it(`refuse a query deeper than ${OPERATION_LIMITS.maxDepth}`, async () => {
    app = await createTestApp();
    let selection = 'name';
    for (let i = 0; i < OPERATION_LIMITS.maxDepth + 2; i++) selection = `ofType { ${selection} }`;
    const refused = await app.graphql(
      `{ __type(name: "User") { fields { type { ${selection} } } } }`,
    );
    expect(refused.errors?.[0]?.message).toMatch(/depth limit/i);
    expect(refused.errors?.[0]?.extensions).toEqual(LIMIT_EXCEEDED);
  });

  it(`refuse an operation costing more than ${OPERATION_LIMITS.maxCost}`, async () => {
    app = await createTestApp();
    const page =
      'auditEvents(first: 100) { edges { cursor node { id type occurredAt userId sessionId actorId ip userAgent detail revokedSessions } } nodes { id type occurredAt userId sessionId actorId ip userAgent detail revokedSessions } pageInfo { hasNextPage endCursor } }';
    const query = `{ ${Array.from({ length: OPERATION_LIMITS.maxAliases }, (_, i) => `a${i}: ${page}`).join(' ')} }`;
    const refused = await app.graphql(query);
    expect(refused.errors?.[0]?.message).toMatch(/cost limit/i);
    expect(refused.errors?.[0]?.extensions).toEqual(LIMIT_EXCEEDED);
  });
});

describe('production surface', () => {
  it('refuses introspection but still answers __typename', async () => {
    app = await createTestApp(PRODUCTION);
    const schema = await app.graphql('{ __schema { types { name } } }');
    expect(schema.data).toBeUndefined();
    expect(schema.errors?.[0]?.message).toMatch(/introspection/i);
    const type = await app.graphql('{ __type(name: "User") { name } }');
    expect(type.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await app.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('allows introspection outside production, for GraphiQL', async () => {
    app = await createTestApp({ NODE_ENV: 'development' });
    const response = await app.graphql('{ __schema { queryType { name } } }');
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('gives no field suggestions in production, and keeps them in development', async () => {
    app = await createTestApp(PRODUCTION);
    const production = await app.graphql('{ mee { id } }');
    expect(production.errors?.[0]?.message).toContain('Cannot query field "mee"');
    expect(JSON.stringify(production)).not.toMatch(/did you mean/i);
    await app.close();
    app = await createTestApp({ NODE_ENV: 'development' });
    const development = await app.graphql('{ mee { id } }');
    expect(development.errors?.[0]?.message).toMatch(/did you mean "me"/i);
  });

  it('masks unexpected errors without a stack trace or internals', async () => {
    app = await createTestApp(PRODUCTION);
    const { accessToken } = await app.signUp();
    Object.assign(app.deps.store.sessions, {
      findWithUser: () => Promise.reject(new Error('connection refused to 10.1.2.3')),
    });
    const response = await app.graphql('{ me { id } }', { token: accessToken });
    expect(response.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const text = JSON.stringify(response);
    expect(text).not.toMatch(/10\.1\.2\.3|stack|\.ts:|at [A-Za-z.]+ \(/);
  });
});

describe('request rules', () => {
  it('refuses array batching', async () => {
    app = await createTestApp();
    const response = await post(
      JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      {
        'content-type': 'application/json',
      },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).not.toContain('"__typename":"Query"');
  });

  it('refuses non-JSON requests without a CSRF header, and GET without one', async () => {
    app = await createTestApp();
    const csrfRefusal = { code: 'FORBIDDEN', reason: 'CSRF_HEADER_REQUIRED' };
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await post(JSON.stringify({ query: '{ __typename }' }), {
        'content-type': contentType,
      });
      expect(response.status).toBe(403);
      expect(firstError(await response.json())).toEqual(csrfRefusal);
    }
    const get = await app.yoga.fetch('http://yoga/graphql?query=%7B__typename%7D', {
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(403);
    // Found by the fuzz suite: yoga's refusal carried no code.
    expect(firstError(await get.json())).toEqual(csrfRefusal);
    const withHeader = await app.yoga.fetch('http://yoga/graphql?query=%7B__typename%7D', {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await withHeader.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a subscription at validation: 400 GRAPHQL_VALIDATION_FAILED (found by fuzzing)', async () => {
    app = await createTestApp();
    const response = await app.graphql('subscription { me { id } }', {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(400);
    expect(firstError(response)).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('answers a validation error that graphql-js throws as a coded validation error (found by fuzzing)', async () => {
    app = await createTestApp();
    const { accessToken } = await app.signUp();
    // The single-field rule for subscriptions evaluates @skip, which throws without its `if`.
    const response = await app.graphql('subscription { sessionEnded @skip { reason } }', {
      token: accessToken,
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(400);
    expect(firstError(response)).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(response.errors?.[0]?.message).toContain('"if"');
  });

  it('refuses a mutation over GET even with the CSRF header', async () => {
    app = await createTestApp();
    const query = encodeURIComponent('mutation { logout }');
    const response = await app.yoga.fetch(`http://yoga/graphql?query=${query}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(response.status).toBe(405);
  });

  it('refuses a body over MAX_REQUEST_BYTES with 413, judged by its Content-Length', async () => {
    app = await createTestApp({ MAX_REQUEST_BYTES: '2048' });
    const body = JSON.stringify({ query: `{ __typename } # ${'x'.repeat(3000)}` });
    const response = await post(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'The request body is larger than this server accepts.',
          extensions: { code: 'BAD_REQUEST', reason: 'REQUEST_TOO_LARGE' },
        },
      ],
    });
    const small = await post(JSON.stringify({ query: '{ __typename }' }), {
      'content-type': 'application/json',
    });
    expect(small.status).toBe(200);
  });

  it('refuses a streamed body without Content-Length with 411', async () => {
    app = await createTestApp();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
        controller.close();
      },
    });
    const response = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    expect(firstError((await response.json()) as never)).toEqual({
      code: 'BAD_REQUEST',
      reason: 'LENGTH_REQUIRED',
    });
  });

  it('refuses an oversized Authorization header as TOKEN_INVALID, not a 5xx', async () => {
    app = await createTestApp();
    const response = await app.graphql('{ me { id } }', { token: 'a'.repeat(10_000) });
    expect(response.status).toBe(200);
    expect(firstError(response)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });
});
