import { describe, expect, it } from 'vitest';
import { purgeRevocations } from '../../../src/auth/live/purge-revocations.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import { newSession, newUser, T0 } from '../../helpers/records.js';

describe('purgeRevocations', () => {
  it('deletes a record once no access token of its session can be valid, plus the tolerance', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.users.insert(newUser('u1'));
      await store.sessions.insert(newSession('ended', 'u1'));
      await store.sessions.insert(newSession('expiring', 'u1', { idleExpiresAt: T0 + 60_000 }));
      await store.sessions.revoke('ended', 'logout', T0);
      await store.sessions.revoke('expiring', 'logout', T0);
      const ttl = 900;
      // 'expiring' cannot outlive its idle expiry (T0 + 60 s); 'ended' lasts the full 15 minutes.
      const at = (ms: number) => ({ now: () => ms });
      expect(await purgeRevocations(store.revocations, at(T0 + 65_000), ttl)).toBe(0);
      expect(await purgeRevocations(store.revocations, at(T0 + 65_001), ttl)).toBe(1);
      expect(await purgeRevocations(store.revocations, at(T0 + 905_000), ttl)).toBe(0);
      expect(await purgeRevocations(store.revocations, at(T0 + 905_001), ttl)).toBe(1);
      expect(await store.revocations.listAfter(null, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
