import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { createTestApp, firstError, type TestApp } from '../helpers/app.js';
import { TEST_MFA_KEYS } from '../helpers/config.js';

// Regression cases found by the fuzz suite (test/fuzz/): answers of the GraphQL endpoint that
// carried no registry code, an undocumented status, or internal detail.

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

describe('coded answers of the GraphQL endpoint', () => {
  it('answers a Content-Type nothing reads with 415 BAD_REQUEST / UNSUPPORTED_MEDIA_TYPE', async () => {
    app = await createTestApp(PRODUCTION);
    const response = await post('{"query":"{ __typename }"}', {
      'content-type': 'application/xml',
    });
    expect(response.status).toBe(415);
    expect(firstError(await response.json())).toEqual({
      code: 'BAD_REQUEST',
      reason: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('leaves other methods to the 405 they had, with its code', async () => {
    app = await createTestApp(PRODUCTION);
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await app.yoga.fetch('http://yoga/graphql', {
        method,
        headers: { 'x-graphql-yoga-csrf': '1' },
      });
      expect(response.status).toBe(405);
      expect(firstError(await response.json())?.code).toBe('BAD_REQUEST');
    }
  });

  it('refuses a multipart body (no uploads here) as 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    app = await createTestApp(PRODUCTION);
    const response = await post('--x--', {
      'content-type': 'multipart/form-data; boundary=x',
      'apollo-require-preflight': 'true',
    });
    expect(response.status).toBe(415);
    expect(firstError(await response.json())?.reason).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers JSON to an Accept header that allows none of its media types, not 406', async () => {
    app = await createTestApp(PRODUCTION);
    const response = await post('{"query":"{ __typename }"}', {
      'content-type': 'application/json',
      accept: 'image/png',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps the JSON parser error out of the answer to a body that is not JSON', async () => {
    app = await createTestApp(PRODUCTION);
    const response = await post('{"query', { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(firstError(body)).toEqual({ code: 'BAD_REQUEST' });
    expect(JSON.stringify(body)).not.toContain('SyntaxError');
  });

  it('still shows the parser error in development', async () => {
    app = await createTestApp({ NODE_ENV: 'development' });
    const response = await post('{"query', { 'content-type': 'application/json' });
    expect(firstError(await response.json())?.originalError).toMatchObject({ name: 'SyntaxError' });
  });

  it('gives BAD_USER_INPUT to a variable of the wrong type, and to a missing one', async () => {
    app = await createTestApp(PRODUCTION);
    const query = 'mutation ($id: ID!) { revokeSession(id: $id) }';
    for (const variables of [{ id: { nested: 1 } }, {}]) {
      const response = await app.graphql(query, { variables });
      expect(response.status).toBe(400);
      expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT' });
    }
  });

  it('gives a registry code to a document whose operation cannot be chosen', async () => {
    app = await createTestApp(PRODUCTION);
    const response = await app.graphql('query A { __typename } query B { __typename }');
    expect(response.status).toBe(400);
    expect(firstError(response)?.code).toBe(ERROR_CODES.OPERATION_RESOLUTION_FAILURE);
  });
});
