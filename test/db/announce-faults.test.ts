import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/auth/ports/store.js';
import { announceRevocations } from '../../src/auth/sessions/announce-revocations.js';
import { type FaultyStore, openFaultyTestStore } from '../helpers/faulty-store.js';
import {
  createMemoryRevocationChannel,
  type MemoryRevocationChannel,
} from '../helpers/memory-revocation-channel.js';
import { newSession, newUser, T0 } from '../helpers/records.js';
import { isInjectedFault, type StatementFault } from '../helpers/statement-faults.js';
import { testStoreKind } from '../helpers/store.js';

// A revocation whose COMMIT failed may have committed: the other instances are told all the
// same (it costs them a store read), while a revocation known to have failed is not announced.

let inner: FaultyStore;
let channel: MemoryRevocationChannel;
let store: Store;

beforeEach(async () => {
  inner = await openFaultyTestStore();
  channel = createMemoryRevocationChannel();
  store = announceRevocations(inner, channel);
  await inner.users.insert(newUser('u1'));
  for (const id of ['s1', 's2']) await inner.sessions.insert(newSession(id, 'u1'));
});

afterEach(() => inner.close());

async function revokeWith(fault: StatementFault, revoke: () => Promise<unknown>) {
  inner.faults.inject(fault);
  const error = await revoke().then(
    () => null,
    (caught: unknown) => caught,
  );
  inner.faults.clear();
  expect(isInjectedFault(error)).toBe(true);
  return channel.published;
}

describe(`${testStoreKind()}: announcing revocations whose commit is in doubt`, () => {
  it.each([
    [
      'revoke',
      () => store.sessions.revoke('s1', 'logout', T0),
      { kind: 'session', sessionId: 's1', reason: 'logout' },
    ],
    [
      'revokeAllForUser',
      () => store.sessions.revokeAllForUser('u1', 'logout', T0, 's2'),
      { kind: 'user', userId: 'u1', exceptSessionId: 's2', reason: 'logout' },
    ],
  ] as const)('%s: announced after a failed COMMIT, either way', async (_, revoke, revocation) => {
    for (const effect of ['fail', 'lose-answer'] as const) {
      channel.published.length = 0;
      expect(await revokeWith({ statement: /^commit$/i, effect }, revoke)).toEqual([revocation]);
    }
  });

  it('not announced when a statement before the COMMIT failed (nothing was written)', async () => {
    const revoke = () => store.sessions.revoke('s1', 'logout', T0);
    expect(await revokeWith({ statement: /^update "sessions"/, effect: 'fail' }, revoke)).toEqual(
      [],
    );
    expect((await store.sessions.findById('s1'))?.revokedAt).toBeNull();
  });
});
