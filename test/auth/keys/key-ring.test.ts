import { describe, expect, it } from 'vitest';
import { loadKeyRing } from '../../../src/auth/keys/key-ring.js';
import {
  listSigningKeys,
  retireExpiredSigningKeys,
  retirementDelaySeconds,
  rotateSigningKeys,
} from '../../../src/auth/keys/key-rotation.js';
import { createStoreKeySource } from '../../../src/auth/keys/key-sources.js';
import { openKeyRing } from '../../../src/auth/keys/open-key-ring.js';
import type { SigningKeyStore } from '../../../src/auth/ports/store.js';
import { signAccessToken } from '../../../src/auth/tokens/sign-token.js';
import { verifyToken } from '../../../src/auth/tokens/verify-token.js';
import { type Environment, loadConfig } from '../../../src/config.js';
import { createTestClock } from '../../helpers/clock.js';
import { openTestStore } from '../../helpers/store.js';

async function setUp(env: Environment = {}) {
  const config = loadConfig({ DATABASE_URL: ':memory:', ...env });
  const store = await openTestStore();
  const clock = createTestClock();
  return { config, store, clock, deps: { config, store, clock } };
}

/** Counts how often a key ring reads the store. */
function countingStore(inner: SigningKeyStore): SigningKeyStore & { reads: number } {
  const counting = {
    ...inner,
    reads: 0,
    async listVerifying() {
      counting.reads += 1;
      return inner.listVerifying();
    },
  };
  return counting;
}

async function tokenSignedBy(ring: Awaited<ReturnType<typeof openKeyRing>>, now: number) {
  const iat = Math.floor(now / 1000);
  const settings = loadConfig({});
  return signAccessToken(ring, settings, {
    userId: 'u',
    sessionId: 's',
    tokenId: 'j',
    issuedAt: iat,
    expiresAt: iat + 60,
    roles: ['USER'],
  });
}

describe('key rotation', () => {
  it('activates a new key, keeps the old one retiring, and retires it only after the longest token lifetime', async () => {
    const { deps, config, store, clock } = await setUp();
    const ring = await openKeyRing(config, store.signingKeys, clock);
    const first = await ring.signingKey();
    const oldToken = await tokenSignedBy(ring, clock.now());

    const rotation = await rotateSigningKeys(deps);
    if (!rotation.ok) throw new Error(rotation.failure);
    expect(rotation.value.demoted?.kid).toBe(first.kid);
    expect(rotation.value.activated.kid).not.toBe(first.kid);
    expect(rotation.value.activated.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await ring.refresh();
    expect((await ring.signingKey()).kid).toBe(rotation.value.activated.kid);
    expect((await verifyToken(oldToken, 'access', ring, config, clock.now())).ok).toBe(true);
    expect((await ring.publishedKeys()).keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining([first.kid, rotation.value.activated.kid]),
    );

    const delay = retirementDelaySeconds(config.lifetimes);
    expect(delay).toBeGreaterThanOrEqual(config.lifetimes.refreshTokenTtl);
    clock.advanceSeconds(delay - 1);
    expect(await ring.findVerificationKey(first.kid)).toBeDefined();
    expect(await retireExpiredSigningKeys(deps)).toEqual([]);

    clock.advanceSeconds(1);
    // The running ring stops trusting and publishing it at once, before anyone writes.
    expect(await ring.findVerificationKey(first.kid)).toBeUndefined();
    expect((await ring.publishedKeys()).keys.map((key) => key.kid)).toEqual([
      rotation.value.activated.kid,
    ]);
    expect((await listSigningKeys(deps)).find((key) => key.kid === first.kid)?.status).toBe(
      'retired',
    );
    expect(await retireExpiredSigningKeys(deps)).toEqual([first.kid]);
    const stored = await store.signingKeys.list();
    expect(stored.map((key) => key.status).sort()).toEqual(['active', 'retired']);
  });

  it('keeps exactly one active key, and retires due keys as part of the next rotation', async () => {
    const { deps, config, store, clock } = await setUp();
    await openKeyRing(config, store.signingKeys, clock);
    const kids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const rotation = await rotateSigningKeys(deps);
      if (!rotation.ok) throw new Error(rotation.failure);
      kids.push(rotation.value.activated.kid);
      clock.advanceSeconds(retirementDelaySeconds(config.lifetimes) / 2 + 1);
    }
    const keys = await listSigningKeys(deps);
    expect(keys.filter((key) => key.status === 'active').map((key) => key.kid)).toEqual([kids[2]]);
    // The first generated key and the first rotated one are past their grace period by now.
    expect(keys.filter((key) => key.status === 'retired')).toHaveLength(2);
    expect(keys.filter((key) => key.status === 'retiring').map((key) => key.kid)).toEqual([
      kids[1],
    ]);
  });

  it('generates keys with the configured algorithm', async () => {
    const { deps, config, store, clock } = await setUp({ AUTH_SIGNING_ALGORITHM: 'ES256' });
    const ring = await openKeyRing(config, store.signingKeys, clock);
    expect((await ring.signingKey()).alg).toBe('ES256');
    const rotation = await rotateSigningKeys(deps);
    expect(rotation.ok && rotation.value.activated.alg).toBe('ES256');
  });
});

describe('a running key ring', () => {
  it('switches to a key rotated elsewhere within its refresh interval', async () => {
    const { deps, config, store, clock } = await setUp();
    const ring = await openKeyRing(config, store.signingKeys, clock);
    const before = await ring.signingKey();
    const rotation = await rotateSigningKeys(deps);
    if (!rotation.ok) throw new Error(rotation.failure);

    clock.advanceSeconds(59);
    expect((await ring.signingKey()).kid).toBe(before.kid);
    clock.advanceSeconds(1);
    expect((await ring.signingKey()).kid).toBe(rotation.value.activated.kid);
  });

  it('reloads at once for a token signed by a key it has not seen, and rate-limits made-up kids', async () => {
    const { deps, config, store, clock } = await setUp();
    const counting = countingStore(store.signingKeys);
    const source = createStoreKeySource(counting, clock, 'EdDSA');
    const ring = await loadKeyRing(source, clock, {
      retireAfterSeconds: retirementDelaySeconds(config.lifetimes),
      unknownKidReloadIntervalMs: 300,
    });
    const readsAtStart = counting.reads;

    // Many lookups of made-up thumbprint-shaped kids share a single reload.
    const madeUp = Array.from(
      { length: 20 },
      (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(41)}`,
    );
    const found = await Promise.all(madeUp.map((kid) => ring.findVerificationKey(kid)));
    expect(found.every((key) => key === undefined)).toBe(true);
    expect(counting.reads - readsAtStart).toBe(1);
    // Kids that cannot be ours (not a thumbprint) never reach the store.
    expect(await ring.findVerificationKey('someone-else')).toBeUndefined();
    expect(counting.reads - readsAtStart).toBe(1);

    // Another process rotates and signs; inside the rate-limit window the request waits for the
    // next reload rather than failing.
    const rotation = await rotateSigningKeys(deps);
    if (!rotation.ok) throw new Error(rotation.failure);
    const other = await openKeyRing(config, store.signingKeys, clock);
    const token = await tokenSignedBy(other, clock.now());
    const result = await verifyToken(token, 'access', ring, config, clock.now());
    expect(result.ok).toBe(true);
    expect(counting.reads - readsAtStart).toBe(2);
  });

  it('keeps serving its last keys while the store fails, and retries later', async () => {
    const { config, store, clock } = await setUp();
    let failing = false;
    const flaky: SigningKeyStore = {
      ...store.signingKeys,
      async listVerifying() {
        if (failing) throw new Error('database is locked');
        return store.signingKeys.listVerifying();
      },
    };
    const ring = await openKeyRing(config, flaky, clock);
    const before = await ring.signingKey();
    const token = await tokenSignedBy(ring, clock.now());

    failing = true;
    clock.advanceSeconds(61); // the snapshot is due for a reload, which fails
    expect((await ring.signingKey()).kid).toBe(before.kid);
    const verified = await verifyToken(token, 'access', ring, config, clock.now());
    expect(verified.ok).toBe(true);
    // An unknown kid cannot be looked up now: refused, not thrown.
    expect(await ring.findVerificationKey('A'.repeat(43))).toBeUndefined();

    failing = false;
    const rotation = await rotateSigningKeys({ config, store, clock });
    if (!rotation.ok) throw new Error(rotation.failure);
    clock.advanceSeconds(5); // past the retry delay: the next use reloads and sees the rotation
    expect((await ring.signingKey()).kid).toBe(rotation.value.activated.kid);
  });
});
