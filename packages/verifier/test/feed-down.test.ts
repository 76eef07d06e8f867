import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { createAccessTokenVerifier } from '../src/index.js';

// What the verifier does while the revocation feed is silent, by the service's test clock.

const FEED_TOKEN = 'feed-token-0123456789abcdef0123456789abcdef';
let app: TestApp;

beforeEach(async () => {
  app = await createTestApp({ REVOCATION_FEED_TOKEN: FEED_TOKEN });
});
afterEach(() => app.close());

async function verifierFor(onFeedDown: 'accept' | 'refuse', log: (message: string) => void) {
  const jwks = (await (
    await app.yoga.fetch('http://yoga/.well-known/jwks.json')
  ).json()) as JSONWebKeySet;
  const verifier = createAccessTokenVerifier({
    issuer: app.config.issuer,
    audience: app.config.audience,
    jwksUrl: 'http://yoga/.well-known/jwks.json',
    keys: createLocalJWKSet(jwks),
    revocationFeed: { url: 'http://yoga/revocations', token: FEED_TOKEN },
    onFeedDown,
    log,
    now: () => app.clock.now(),
    fetch: async (input, init) => app.yoga.fetch(new Request(String(input), init)),
  });
  await expect.poll(() => verifier.isFeedUp()).toBe(true);
  return verifier;
}

describe("onFeedDown: 'accept'", () => {
  it('falls back to JWKS alone while the feed is silent, logs it once, and logs its return', async () => {
    const logged: string[] = [];
    const verifier = await verifierFor('accept', (message) => logged.push(message));
    try {
      const revoked = await app.signUp();
      const live = await app.signUp();
      await app.graphql('mutation { logout }', { token: revoked.accessToken });
      await expect
        .poll(() => verifier.verify(`Bearer ${revoked.accessToken}`))
        .toEqual({ ok: false, reason: 'SESSION_REVOKED' });

      app.clock.advanceSeconds(11); // silent past maxFeedSilence (10 s)
      expect(verifier.isFeedUp()).toBe(false);
      expect(await verifier.verify(`Bearer ${live.accessToken}`)).toMatchObject({ ok: true });
      expect(await verifier.verify(`Bearer ${live.accessToken}`)).toMatchObject({ ok: true });
      // What it already heard still counts: the fallback only stops learning.
      expect(await verifier.verify(`Bearer ${revoked.accessToken}`)).toEqual({
        ok: false,
        reason: 'SESSION_REVOKED',
      });
      expect(logged.filter((message) => message === 'revocation feed silent')).toHaveLength(1);

      // Any event heard brings it back (here: another logout, announced on the feed).
      const another = await app.signUp();
      await app.graphql('mutation { logout }', { token: another.accessToken });
      await expect.poll(() => verifier.isFeedUp()).toBe(true);
      await verifier.verify(`Bearer ${live.accessToken}`);
      expect(logged).toContain('revocation feed back');
    } finally {
      verifier.close();
    }
  });

  it("with 'refuse' the same silence refuses the same live token", async () => {
    const verifier = await verifierFor('refuse', () => undefined);
    try {
      const live = await app.signUp();
      expect(await verifier.verify(`Bearer ${live.accessToken}`)).toMatchObject({ ok: true });
      app.clock.advanceSeconds(11);
      expect(await verifier.verify(`Bearer ${live.accessToken}`)).toEqual({
        ok: false,
        reason: 'REVOCATION_FEED_DOWN',
      });
    } finally {
      verifier.close();
    }
  });
});
