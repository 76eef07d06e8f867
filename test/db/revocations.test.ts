import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionEndRecord } from '../../src/auth/ports/records.js';
import type { Store } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { openTestStore, testStoreKind } from '../helpers/store.js';

// Issue 16, section 2: the revocation record is written by the write that ends the session, in
// its transaction, and read back in one order by every instance.

let store: Store;

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1'));
  await store.users.insert(newUser('u2'));
  await store.sessions.insert(newSession('s1', 'u1'));
  await store.sessions.insert(newSession('s2', 'u1', { idleExpiresAt: T0 + HOUR }));
  await store.sessions.insert(newSession('s3', 'u1'));
  await store.sessions.insert(newSession('t1', 'u2'));
});
afterEach(() => store.close());

async function allRecords(): Promise<SessionEndRecord[]> {
  const records = await store.revocations.listAfter(null, 1000);
  if (records === null) throw new Error('the first page has no position to refuse');
  return records;
}

function withoutPositions(records: readonly SessionEndRecord[]) {
  return records.map(({ position: _, ...rest }) => rest);
}

describe(`${testStoreKind()}: revocation records`, () => {
  it('records one ended session: who, why, when, and when its tokens stop anyway', async () => {
    expect(await store.sessions.revoke('s1', 'logout', T0 + 10)).toBe(true);
    expect(withoutPositions(await allRecords())).toEqual([
      {
        sessionId: 's1',
        userId: 'u1',
        reason: 'logout',
        endedAt: T0 + 10,
        sessionExpiresAt: T0 + 2 * HOUR,
      },
    ]);
  });

  it('records nothing for a revocation that revoked nothing', async () => {
    await store.sessions.revoke('s1', 'logout', T0 + 10);
    expect(await store.sessions.revoke('s1', 'revoked_by_user', T0 + 20)).toBe(false);
    expect(await store.sessions.revokeAllForUser('u1', 'revoked_by_admin', T0 + 30, 's1')).toBe(2);
    expect(await store.sessions.revokeAllForUser('u1', 'revoked_by_admin', T0 + 40)).toBe(0);
    const records = await allRecords();
    // s1 first; the two sessions of one statement in either order.
    expect(records[0]?.sessionId).toBe('s1');
    const summary = records.map((record) => [record.sessionId, record.reason, record.endedAt]);
    expect(summary.sort()).toEqual([
      ['s1', 'logout', T0 + 10],
      ['s2', 'revoked_by_admin', T0 + 30],
      ['s3', 'revoked_by_admin', T0 + 30],
    ]);
    // The idle expiry came first for s2.
    expect(records.find((record) => record.sessionId === 's2')?.sessionExpiresAt).toBe(T0 + HOUR);
  });

  it('records the sessions a password change ends, and not the one it keeps', async () => {
    const changed = await store.users.changePassword({
      userId: 'u1',
      expectedPasswordHash: 'h',
      passwordHash: 'h2',
      keepSessionId: 's1',
      nextRefreshJti: 'next',
      now: T0 + 5,
    });
    expect(changed?.revokedSessions).toBe(2);
    const records = await allRecords();
    expect(records.map((record) => record.sessionId).sort()).toEqual(['s2', 's3']);
    expect(new Set(records.map((record) => record.reason))).toEqual(new Set(['password_changed']));
  });

  it('serves the records in one order, page by page, continuing after any position', async () => {
    await store.sessions.revoke('s1', 'logout', T0 + 1);
    await store.sessions.revoke('t1', 'refresh_token_reused', T0 + 2);
    await store.sessions.revoke('s3', 'revoked_by_user', T0 + 3);
    const all = await allRecords();
    expect(all.map((record) => record.sessionId)).toEqual(['s1', 't1', 's3']);
    expect(new Set(all.map((record) => record.position)).size).toBe(3);

    const first = await store.revocations.listAfter(null, 2);
    expect(first?.map((record) => record.sessionId)).toEqual(['s1', 't1']);
    const rest = await store.revocations.listAfter(first?.[1]?.position ?? '', 2);
    expect(rest?.map((record) => record.sessionId)).toEqual(['s3']);
    expect(await store.revocations.listAfter(all[2]?.position ?? '', 2)).toEqual([]);
  });

  it.each(['', 'x', '-1', '1.2.3', '99999999999999999999999', "1' or 1=1"])(
    'refuses a position it never handed out (%j) with null',
    async (position) => {
      await store.sessions.revoke('s1', 'logout', T0 + 1);
      expect(await store.revocations.listAfter(position, 10)).toBeNull();
    },
  );

  it('deletes, for retention, the records that ended or whose session expired before the cut-offs', async () => {
    await store.sessions.revoke('s1', 'logout', T0 + 10);
    await store.sessions.revoke('s2', 'logout', T0 + 20);
    await store.sessions.revoke('s3', 'logout', T0 + 30);
    // s1 ended before the first cut-off; s2's session expired (T0 + HOUR) before the second.
    expect(await store.revocations.deleteExpired(T0 + 15, T0 + HOUR + 1)).toBe(2);
    expect((await allRecords()).map((record) => record.sessionId)).toEqual(['s3']);
  });
});
