import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/auth/ports/records.js';
import type { PasswordChange, Store } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { openTestStore, testStoreKind } from '../helpers/store.js';

let store: Store;
let sessionsBefore: SessionRecord[];

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1', { passwordHash: 'hash-0' }));
  await store.users.insert(newUser('u2'));
  for (const id of ['s1', 's2', 's3']) await store.sessions.insert(newSession(id, 'u1'));
  await store.sessions.insert(newSession('s-u2', 'u2'));
  await store.sessions.insert(newSession('s-revoked', 'u1'));
  await store.sessions.revoke('s-revoked', 'logout', T0);
  sessionsBefore = await allSessions();
});
afterEach(() => store.close());

async function allSessions(): Promise<SessionRecord[]> {
  const ids = ['s1', 's2', 's3', 's-u2', 's-revoked'];
  const found = await Promise.all(ids.map((id) => store.sessions.findById(id)));
  return found.filter((session) => session !== null);
}

function change(overrides: Partial<PasswordChange> = {}): PasswordChange {
  return {
    userId: 'u1',
    expectedPasswordHash: 'hash-0',
    passwordHash: 'hash-1',
    keepSessionId: 's1',
    nextRefreshJti: 's1-next',
    now: T0 + HOUR,
    ...overrides,
  };
}

describe(`${testStoreKind()}: users.changePassword`, () => {
  it('replaces the hash, rotates the kept session with no grace and revokes the other live ones', async () => {
    const changed = await store.users.changePassword(change());
    expect(changed?.revokedSessions).toBe(2);
    expect(changed?.session).toMatchObject({
      id: 's1',
      currentRefreshJti: 's1-next',
      previousRefreshJti: null,
      rotatedAt: T0 + HOUR,
      lastUsedAt: T0 + HOUR,
      generation: 1,
      revokedAt: null,
    });
    expect((await store.users.findById('u1'))?.passwordHash).toBe('hash-1');
    const after = Object.fromEntries(
      (await allSessions()).map((row) => [row.id, row.revokedReason]),
    );
    expect(after).toEqual({
      s1: null,
      s2: 'password_changed',
      s3: 'password_changed',
      's-u2': null,
      's-revoked': 'logout',
    });
  });

  it.each([
    ['the hash changed meanwhile', {}, { expectedPasswordHash: 'hash-stale' }],
    ['the kept session is revoked', { revoke: 's1' }, {}],
    ['the kept session is past its idle expiry', {}, { now: T0 + 2 * HOUR }],
    ['the kept session is another user’s', {}, { keepSessionId: 's-u2' }],
    ['the kept session is unknown', {}, { keepSessionId: 's-none' }],
  ])('writes nothing when %s', async (_name, setup: { revoke?: string }, overrides) => {
    if (setup.revoke !== undefined) {
      await store.sessions.revoke(setup.revoke, 'logout', T0);
      sessionsBefore = await allSessions();
    }
    expect(await store.users.changePassword(change(overrides))).toBeNull();
    expect((await store.users.findById('u1'))?.passwordHash).toBe('hash-0');
    expect(await allSessions()).toEqual(sessionsBefore);
  });
});
