import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_TOKEN_CASES,
  type HostileTokenContext,
} from '../../packages/verifier/test/conformance/hostile-token-cases.js';
import { createTestApp, firstError, type TestApp, type TokenPairResponse } from '../helpers/app.js';

// The service's side of the one conformance list (packages/verifier/test/conformance/): every
// hostile token there is sent over the GraphQL endpoint and must be refused as UNAUTHENTICATED,
// with one of the case's reasons, without a 5xx. The verifier package runs the same list.

let app: TestApp;
let victim: TokenPairResponse;
let context: HostileTokenContext;
let jwksServer: Server;
let outboundRequests = 0;

beforeAll(async () => {
  app = await createTestApp();
  const signing = await app.deps.keys.signingKey();
  const found = await app.deps.keys.findVerificationKey(signing.kid);
  if (found === undefined) throw new Error('no verification key for the signing kid');
  victim = await app.signUp('victim@example.com');
  const other = await app.signUp('other@example.com');
  // A server that would hand out an attacker's keys; the service must never call it.
  jwksServer = createServer((_req, res) => {
    outboundRequests += 1;
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  context = {
    victim,
    other,
    signing,
    publicKey: found.key,
    attackerJwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`,
    nowSeconds: () => Math.floor(app.clock.now() / 1000),
  };
});

afterAll(async () => {
  await app.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

/** Sends `{ me { id } }` with the raw Authorization header value. */
async function askMe(authorization: string | null) {
  const body = JSON.stringify({ query: '{ me { id } }' });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await app.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('hostile tokens (the conformance list)', () => {
  it('control: the genuine access token is accepted', async () => {
    const { body } = await askMe(`Bearer ${victim.accessToken}`);
    expect(body).toEqual({ data: { me: { id: victim.user.id } } });
  });

  it.each(HOSTILE_TOKEN_CASES.map((each) => [`${each.group}: ${each.name}`, each] as const))(
    'refuses %s',
    async (_name, hostile) => {
      const authorizations = await hostile.build(context);
      expect(authorizations.length).toBeGreaterThan(0);
      for (const authorization of authorizations) {
        const { status, body } = await askMe(authorization);
        expect(status, String(authorization).slice(0, 80)).toBeLessThan(500);
        expect(body.data).toBeNull();
        const extensions = firstError(body as never);
        expect(extensions?.code).toBe('UNAUTHENTICATED');
        expect(hostile.reasons, String(authorization).slice(0, 80)).toContain(extensions?.reason);
      }
    },
  );

  it('never fetched a jku or x5u URL while refusing them', async () => {
    const jku = HOSTILE_TOKEN_CASES.find((each) => each.name.includes('jku'));
    for (const authorization of (await jku?.build(context)) ?? []) await askMe(authorization);
    expect(jku).toBeDefined();
    expect(outboundRequests).toBe(0);
  });
});

describe('token type confusion', () => {
  const rtkRefusedOn: [string, string][] = [
    ['me', '{ me { id } }'],
    ['users', '{ users { id } }'],
    ['mySessions', '{ mySessions { id } }'],
    ['auditEvents', '{ auditEvents { pageInfo { hasNextPage } } }'],
    ['logout', 'mutation { logout }'],
    ['revokeSession', 'mutation { revokeSession(id: "x") }'],
    ['revokeUserSessions', 'mutation { revokeUserSessions(userId: "x") }'],
    [
      'changePassword',
      'mutation { changePassword(input: { currentPassword: "a", newPassword: "bbbbbbbbbb" }) { accessToken } }',
    ],
  ];

  it.each(rtkRefusedOn)('refuses a refresh token on %s', async (_field, query) => {
    const response = await app.graphql(query, { token: victim.refreshToken });
    expect(response.status).toBeLessThan(500);
    expect(firstError(response)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('refuses an access token on reissue', async () => {
    const response = await app.reissue(victim.accessToken);
    expect(firstError(response)).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });
});
