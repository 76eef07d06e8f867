import { describe, expect, it } from 'vitest';
import { clientAddressKey } from '../../../src/auth/client/client-address.js';
import { createMemoryRateLimitStore, decide } from '../../../src/auth/limits/rate-limit.js';

const rule = { limit: 3, windowSeconds: 60 };

describe('GCRA decision', () => {
  it('admits a burst of `limit`, then one per window/limit, with the exact wait', () => {
    let tat: number | undefined;
    for (let i = 0; i < 3; i++) {
      const step = decide(tat, rule, 0);
      expect(step.decision).toEqual({ allowed: true });
      tat = step.tat ?? undefined;
    }
    expect(decide(tat, rule, 0).decision).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    expect(decide(tat, rule, 19_500).decision).toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect(decide(tat, rule, 20_000).decision).toEqual({ allowed: true });
  });

  it('recovers the whole burst after a quiet window', () => {
    const first = decide(undefined, rule, 0);
    expect(decide(first.tat ?? undefined, rule, 60_000).tat).toBe(60_000 + 20_000);
  });
});

describe('memory rate-limit store', () => {
  it('counts per key and does not count refused attempts', async () => {
    const store = createMemoryRateLimitStore();
    for (let i = 0; i < 3; i++) expect((await store.consume('a', rule, 0)).allowed).toBe(true);
    // Hammering while refused does not push the wait further out; only the first refusal is
    // new, the others are marked repeated.
    for (let i = 0; i < 10; i++) {
      expect(await store.consume('a', rule, 1_000)).toEqual({
        allowed: false,
        retryAfterSeconds: 19,
        repeated: i > 0,
      });
    }
    expect((await store.consume('a', rule, 20_000)).allowed).toBe(true);
    // Admitted again: the next refusal is a new one.
    expect(await store.consume('a', rule, 20_000)).toMatchObject({
      allowed: false,
      repeated: false,
    });
    expect((await store.consume('b', rule, 1_000)).allowed).toBe(true);
  });

  it('stays within its key bound, forgetting the least recently used keys first', async () => {
    const store = createMemoryRateLimitStore(100);
    const tight = { limit: 1, windowSeconds: 3600 };
    await store.consume('hot', tight, 0);
    for (let i = 0; i < 1_000; i++) {
      await store.consume(`key-${i}`, tight, 0);
      // Touching `hot` keeps it recent; it must never be evicted and must stay limited.
      expect((await store.consume('hot', tight, 0)).allowed).toBe(false);
    }
    // An early key was evicted: it is admitted again (forgetting, never wrongly refusing).
    expect((await store.consume('key-0', tight, 0)).allowed).toBe(true);
  });

  it('when full, forgets a key whose allowance has recovered before any less recently used one', async () => {
    const store = createMemoryRateLimitStore(10);
    const tight = { limit: 1, windowSeconds: 3600 };
    for (let i = 0; i < 9; i++) await store.consume(`idle-${i}`, tight, 0);
    // The most recently used key, but its allowance is whole again after one second.
    await store.consume('recovered', { limit: 1, windowSeconds: 1 }, 0);
    await store.consume('new', tight, 2_000);
    // The least recently used key was kept, still limited: the recovered one made the room.
    expect(await store.consume('idle-0', tight, 2_000)).toMatchObject({
      allowed: false,
      repeated: false,
    });
  });
});

describe('client address key', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not-an-ip', 'unknown'],
  ])('keys %s as %s', (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key);
  });

  it('keys a missing address as unknown', () => {
    expect(clientAddressKey(null)).toBe('unknown');
  });
});
