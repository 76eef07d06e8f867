import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SigningKeyRecord } from '../../src/auth/ports/records.js';
import type { Store } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { openTestStore, testStoreKind } from '../helpers/store.js';

// Races the store itself must settle, whichever database it runs on: each case fires its
// writes at once and asserts the one outcome the Store interface promises.

let store: Store;

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1', { passwordHash: 'hash-0' }));
  for (const id of ['s1', 's2', 's3']) await store.sessions.insert(newSession(id, 'u1'));
});
afterEach(() => store.close());

function key(kid: string): SigningKeyRecord {
  return {
    kid,
    alg: 'EdDSA',
    status: 'active',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: kid },
    privateJwk: { kty: 'OKP', crv: 'Ed25519', x: kid, d: kid },
    createdAt: T0,
    retiringSince: null,
    retiredAt: null,
  };
}

describe(`${testStoreKind()}: concurrent writes`, () => {
  it('lets one of two sign-ups with the same email through', async () => {
    const user = {
      name: null,
      passwordHash: 'h',
      roles: ['USER'] as const,
      createdAt: T0,
      emailVerified: false,
      disabledAt: null,
    };
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) =>
        store.users.insert({ ...user, id, email: 'same@example.com' }),
      ),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent password changes win, from different sessions', async () => {
    const change = (keep: string, hash: string) =>
      store.users.changePassword({
        userId: 'u1',
        expectedPasswordHash: 'hash-0',
        passwordHash: hash,
        keepSessionId: keep,
        nextRefreshJti: `${keep}-next`,
        now: T0 + 1,
      });
    const [first, second] = await Promise.all([change('s1', 'hash-a'), change('s2', 'hash-b')]);
    const winner = first ?? second;
    expect([first, second].filter((result) => result !== null)).toHaveLength(1);
    expect(winner?.revokedSessions).toBe(2);
    const expectedHash = first === null ? 'hash-b' : 'hash-a';
    expect((await store.users.findById('u1'))?.passwordHash).toBe(expectedHash);
    const live = await store.sessions.listLiveForUser('u1', T0 + 2);
    expect(live.map((session) => session.id)).toEqual([winner?.session.id]);
  });

  it('does not deadlock a password change against a revocation of every session', async () => {
    const [changed, revoked] = await Promise.all([
      store.users.changePassword({
        userId: 'u1',
        expectedPasswordHash: 'hash-0',
        passwordHash: 'hash-a',
        keepSessionId: 's1',
        nextRefreshJti: 's1-next',
        now: T0 + 1,
      }),
      store.sessions.revokeAllForUser('u1', 'revoked_by_admin', T0 + 1),
    ]);
    // Either may come first, and PostgreSQL may abort one of them for a deadlock (then it runs
    // again). Whatever the order: both finish, each session is revoked exactly once, and none
    // is left: a change that came first loses its kept session to the revocation, and a change
    // that came last finds its kept session revoked and writes nothing.
    expect(revoked + (changed?.revokedSessions ?? 0)).toBe(3);
    expect(await store.sessions.listLiveForUser('u1', T0 + 2)).toEqual([]);
  });

  it('agrees on a single first signing key when instances start at once', async () => {
    const kids = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const actives = await Promise.all(
      kids.map((kid) => store.signingKeys.activateIfNoneActive(key(kid))),
    );
    expect(new Set(actives.map((active) => active.kid)).size).toBe(1);
    expect(await store.signingKeys.listVerifying()).toHaveLength(1);
  });

  it('keeps one active key when two rotations race', async () => {
    await store.signingKeys.activateIfNoneActive(key('k0'));
    const outcomes = await Promise.allSettled([
      store.signingKeys.rotate(key('k1'), T0 + 1, T0 - HOUR),
      store.signingKeys.rotate(key('k2'), T0 + 1, T0 - HOUR),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    const states = Object.fromEntries(
      (await store.signingKeys.list()).map((record) => [record.kid, record.status]),
    );
    expect(Object.values(states).filter((status) => status === 'active')).toHaveLength(1);
    expect(states.k0).toBe('retiring');
  });
});
