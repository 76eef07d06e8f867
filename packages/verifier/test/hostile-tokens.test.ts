import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../src/index.js';
import {
  HOSTILE_TOKEN_CASES,
  type HostileTokenContext,
} from './conformance/hostile-token-cases.js';

// The verifier's side of the one conformance list: the same hostile tokens the service's
// test/schema/hostile-tokens.test.ts sends over GraphQL, refused here with the same reasons.

let app: TestApp;
let verifier: AccessTokenVerifier;
let context: HostileTokenContext;
let attackerServer: Server;
let outboundRequests = 0;

beforeAll(async () => {
  app = await createTestApp();
  const signing = await app.deps.keys.signingKey();
  const found = await app.deps.keys.findVerificationKey(signing.kid);
  if (found === undefined) throw new Error('no verification key for the signing kid');
  const victim = await app.signUp('victim@example.com');
  const other = await app.signUp('other@example.com');
  attackerServer = createServer((_req, res) => {
    outboundRequests += 1;
    res.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
  context = {
    victim,
    other,
    signing,
    publicKey: found.key,
    attackerJwksUrl: `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/jwks.json`,
    nowSeconds: () => Math.floor(app.clock.now() / 1000),
  };
  const jwks = (await (
    await app.yoga.fetch('http://yoga/.well-known/jwks.json')
  ).json()) as JSONWebKeySet;
  verifier = createAccessTokenVerifier({
    issuer: app.config.issuer,
    audience: app.config.audience,
    jwksUrl: 'http://yoga/.well-known/jwks.json',
    keys: createLocalJWKSet(jwks),
    now: () => app.clock.now(),
  });
});

afterAll(async () => {
  verifier.close();
  await app.close();
  await new Promise((resolve) => attackerServer.close(resolve));
});

const STATELESS_CASES = HOSTILE_TOKEN_CASES.filter((each) => each.needsSessionStore === undefined);

describe('hostile tokens (the conformance list), through verify', () => {
  it('control: the genuine access token is accepted', async () => {
    expect(await verifier.verify(`Bearer ${context.victim.accessToken}`)).toMatchObject({
      ok: true,
      viewer: { sessionId: expect.any(String), roles: ['USER'] },
    });
  });

  it.each(STATELESS_CASES.map((each) => [`${each.group}: ${each.name}`, each] as const))(
    'refuses %s',
    async (_name, hostile) => {
      const authorizations = await hostile.build(context);
      expect(authorizations.length).toBeGreaterThan(0);
      for (const authorization of authorizations) {
        const result = await verifier.verify(authorization);
        const label = String(authorization).slice(0, 80);
        expect(result.ok, label).toBe(false);
        if (!result.ok) expect(hostile.reasons, label).toContain(result.reason);
      }
      expect(outboundRequests).toBe(0);
    },
  );

  it('leaves out only the cases that need the session store, each saying why', () => {
    const left = HOSTILE_TOKEN_CASES.filter((each) => each.needsSessionStore !== undefined);
    expect(left.map((each) => each.name)).toEqual(['a sid naming another user’s session']);
  });
});
