import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/auth/ports/records.js';
import type { Store } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { openTestStore, testStoreKind } from '../helpers/store.js';

let store: Store;
let session: SessionRecord;

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1'));
  await store.users.insert(newUser('u2'));
  session = await store.sessions.insert(newSession('s1', 'u1', { currentRefreshJti: 'jti-0' }));
});
afterEach(() => store.close());

function rotation(overrides: Partial<Parameters<Store['sessions']['rotateRefreshToken']>[0]> = {}) {
  return {
    sessionId: 's1',
    userId: 'u1',
    presentedJti: 'jti-0',
    nextJti: 'jti-1',
    now: T0 + HOUR,
    idleTimeout: 2 * HOUR,
    ...overrides,
  };
}

describe(`${testStoreKind()}: sessions.rotateRefreshToken`, () => {
  it('rotates the current jti, keeps the previous one and caps the idle expiry at the absolute one', async () => {
    const rotated = await store.sessions.rotateRefreshToken(rotation());
    expect(rotated).toMatchObject({
      currentRefreshJti: 'jti-1',
      previousRefreshJti: 'jti-0',
      rotatedAt: T0 + HOUR,
      lastUsedAt: T0 + HOUR,
      generation: 1,
      idleExpiresAt: session.expiresAt,
      expiresAt: session.expiresAt,
    });
  });

  it.each([
    ['a retired jti', { presentedJti: 'jti-old' }],
    ['another user', { userId: 'u2' }],
    ['an unknown session', { sessionId: 's2' }],
    ['a session past its idle expiry', { now: T0 + 2 * HOUR }],
  ])('writes nothing for %s', async (_name, overrides) => {
    expect(await store.sessions.rotateRefreshToken(rotation(overrides))).toBeNull();
    expect(await store.sessions.findById('s1')).toEqual(session);
  });

  it('writes nothing for a revoked session', async () => {
    await store.sessions.revoke('s1', 'logout', T0);
    expect(await store.sessions.rotateRefreshToken(rotation())).toBeNull();
  });

  it('lets exactly one of 50 concurrent rotations with the same jti through: one lineage', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.sessions.rotateRefreshToken(rotation({ nextJti: `next-${i}` })),
      ),
    );
    const winners = results.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    const stored = await store.sessions.findById('s1');
    expect(stored).toMatchObject({
      currentRefreshJti: winners[0]?.currentRefreshJti,
      previousRefreshJti: 'jti-0',
      generation: 1,
    });
  });
});

describe(`${testStoreKind()}: sessions revocation`, () => {
  it('revokes once and reports whether this call did it', async () => {
    expect(await store.sessions.revoke('s1', 'logout', T0 + 1)).toBe(true);
    expect(await store.sessions.revoke('s1', 'refresh_token_reused', T0 + 2)).toBe(false);
    expect(await store.sessions.findById('s1')).toMatchObject({
      revokedAt: T0 + 1,
      revokedReason: 'logout',
    });
  });

  it('revokes every live session of a user except the one spared', async () => {
    for (const id of ['s2', 's3']) {
      await store.sessions.insert({ ...session, id, currentRefreshJti: `${id}-jti` });
    }
    await store.sessions.insert({ ...session, id: 'other', userId: 'u2', currentRefreshJti: 'o' });
    expect(await store.sessions.revokeAllForUser('u1', 'logout', T0, 's2')).toBe(2);
    expect((await store.sessions.findById('s2'))?.revokedAt).toBeNull();
    expect((await store.sessions.findById('other'))?.revokedAt).toBeNull();
    expect(await store.sessions.revokeAllForUser('u1', 'logout', T0)).toBe(1);
  });
});

describe(`${testStoreKind()}: sessions.findWithUser`, () => {
  it('reads the session and its user as findById and users.findById do, and null for no session', async () => {
    await store.users.setRoles('u1', ['USER', 'ADMIN']);
    const found = await store.sessions.findWithUser('s1');
    expect(found).toEqual({
      session: await store.sessions.findById('s1'),
      user: await store.users.findById('u1'),
    });
    expect(found?.session.restrictions).toEqual(session.restrictions);
    expect(await store.sessions.findWithUser('nope')).toBeNull();
  });

  it('sees a revocation and a user change committed before it', async () => {
    await store.sessions.revoke('s1', 'logout', T0 + HOUR);
    await store.users.setRoles('u1', ['ADMIN']);
    const found = await store.sessions.findWithUser('s1');
    expect(found?.session.revokedAt).toBe(T0 + HOUR);
    expect(found?.user.roles).toEqual(['ADMIN']);
    expect(found?.user).toEqual(await store.users.findById('u1'));
  });
});
