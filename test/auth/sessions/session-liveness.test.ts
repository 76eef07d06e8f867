import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../src/auth/ports/records.js';
import {
  type CachedSessionLiveness,
  createCachedSessionLiveness,
  readSessionLivenessFromStore,
} from '../../../src/auth/sessions/session-liveness.js';
import {
  createMemoryRevocationChannel,
  type MemoryRevocationChannel,
} from '../../helpers/memory-revocation-channel.js';
import { newSession, newUser, T0 } from '../../helpers/records.js';

const MINUTE = 60_000;

function sessionRecord(
  id: string,
  userId: string,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    ...newSession(id, userId, {
      currentRefreshJti: 'jti',
      idleExpiresAt: T0 + 10 * MINUTE,
      expiresAt: T0 + 60 * MINUTE,
    }),
    previousRefreshJti: null,
    generation: 0,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  };
}

/** A session table in memory that counts its reads and can hold one back. */
function createFakeSessions() {
  const rows = new Map<string, SessionRecord>();
  let hold: { started: () => void; gate: Promise<void> } | null = null;
  const fake = {
    reads: 0,
    put(record: SessionRecord): void {
      rows.set(record.id, record);
    },
    revoke(id: string): void {
      const row = rows.get(id);
      if (row) rows.set(id, { ...row, revokedAt: T0, revokedReason: 'logout' });
    },
    /** The next read captures its row, then waits until `release()`. */
    holdNextRead(): { started: Promise<void>; release: () => void } {
      let release: () => void = () => {};
      let markStarted: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const started = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      hold = { started: markStarted, gate };
      return { started, release };
    },
    async findById(id: string): Promise<SessionRecord | null> {
      fake.reads++;
      const row = rows.get(id) ?? null;
      const current = hold;
      if (current !== null) {
        hold = null;
        current.started();
        await current.gate;
      }
      return row;
    },
    /** As the store does it: the session and its user (`newUser` of its id) in one read. */
    async findWithUser(id: string) {
      const session = await fake.findById(id);
      return session === null ? null : { session, user: newUser(session.userId) };
    },
  };
  return fake;
}

type FakeSessions = ReturnType<typeof createFakeSessions>;

let sessions: FakeSessions;
let channel: MemoryRevocationChannel;
let liveness: CachedSessionLiveness;

beforeEach(() => {
  sessions = createFakeSessions();
  channel = createMemoryRevocationChannel();
  liveness = createCachedSessionLiveness(sessions, channel, {
    maxEntries: 100,
    maxAgeMs: 30_000,
  });
  sessions.put(sessionRecord('s1', 'u1'));
  sessions.put(sessionRecord('s2', 'u1'));
  sessions.put(sessionRecord('s3', 'u1'));
  sessions.put(sessionRecord('t1', 'u2'));
});

describe('readSessionLivenessFromStore', () => {
  it('reads the store every time, with findSessionFailure semantics', async () => {
    const direct = readSessionLivenessFromStore(sessions);
    expect(await direct.check('s1', 'u1', T0)).toBeNull();
    expect(await direct.check('s1', 'u1', T0)).toBeNull();
    expect(sessions.reads).toBe(2);
    expect(await direct.check('s1', 'u2', T0)).toBe('TOKEN_INVALID');
    expect(await direct.check('nope', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await direct.check('s1', 'u1', T0 + 10 * MINUTE)).toBe('TOKEN_EXPIRED');
    sessions.revoke('s1');
    expect(await direct.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
  });

  it('gives a live session its restrictions and the user read with it', async () => {
    sessions.put(sessionRecord('r1', 'u3', { restrictions: ['MFA_REQUIRED'] }));
    const inspected = await readSessionLivenessFromStore(sessions).inspect('r1', 'u3', T0);
    expect(inspected).toEqual({
      ok: true,
      value: { restrictions: ['MFA_REQUIRED'], user: newUser('u3') },
    });
    expect(sessions.reads).toBe(1);
  });
});

describe('createCachedSessionLiveness', () => {
  it('reads a session once, then answers from the cache', async () => {
    expect(await liveness.check('s1', 'u1', T0)).toBeNull();
    expect(await liveness.check('s1', 'u1', T0 + 1_000)).toBeNull();
    expect(sessions.reads).toBe(1);
    // A token naming another user is refused from the cache too, as the store would.
    expect(await liveness.check('s1', 'u2', T0 + 2_000)).toBe('TOKEN_INVALID');
    expect(sessions.reads).toBe(1);
  });

  it('never caches a session that is not live', async () => {
    sessions.revoke('s1');
    expect(await liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await liveness.check('missing', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await liveness.check('s2', 'u2', T0)).toBe('TOKEN_INVALID');
    expect(sessions.reads).toBe(4);
    expect(liveness.size).toBe(0);
  });

  it('drops a revoked session within the same tick', async () => {
    await liveness.check('s1', 'u1', T0);
    sessions.revoke('s1');
    void channel.publish({ kind: 'session', sessionId: 's1' });
    expect(await liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(sessions.reads).toBe(2);
  });

  it('drops every cached session of a user except the spared one', async () => {
    for (const id of ['s1', 's2', 's3']) await liveness.check(id, 'u1', T0);
    await liveness.check('t1', 'u2', T0);
    expect(sessions.reads).toBe(4);
    await channel.publish({ kind: 'user', userId: 'u1', exceptSessionId: 's2' });
    expect(liveness.size).toBe(2);
    await liveness.check('s2', 'u1', T0);
    await liveness.check('t1', 'u2', T0);
    expect(sessions.reads).toBe(4);
    await liveness.check('s1', 'u1', T0);
    await liveness.check('s3', 'u1', T0);
    expect(sessions.reads).toBe(6);
  });

  it('drops all of a user when nothing is spared', async () => {
    for (const id of ['s1', 's2']) await liveness.check(id, 'u1', T0);
    await channel.publish({ kind: 'user', userId: 'u1', exceptSessionId: null });
    expect(liveness.size).toBe(0);
  });

  it('reads the store while the channel is unhealthy, and fills nothing then', async () => {
    await liveness.check('s1', 'u1', T0);
    channel.healthy = false;
    sessions.revoke('s1'); // an announcement that never arrived
    expect(await liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await liveness.check('s2', 'u1', T0)).toBeNull();
    expect(await liveness.check('s2', 'u1', T0)).toBeNull();
    expect(sessions.reads).toBe(4);
  });

  it('forgets everything on reset', async () => {
    await liveness.check('s1', 'u1', T0);
    await liveness.check('t1', 'u2', T0);
    channel.resetListeners();
    expect(liveness.size).toBe(0);
    await liveness.check('s1', 'u1', T0);
    expect(sessions.reads).toBe(3);
  });

  it('does not cache a read that a revocation overlapped', async () => {
    const hold = sessions.holdNextRead();
    const pending = liveness.check('s1', 'u1', T0);
    await hold.started; // the read has captured the live row
    sessions.revoke('s1');
    await channel.publish({ kind: 'session', sessionId: 's1' });
    hold.release();
    expect(await pending).toBeNull(); // it started before the revocation
    expect(await liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(sessions.reads).toBe(2);
  });

  it('does not cache a read that a reset overlapped', async () => {
    const hold = sessions.holdNextRead();
    const pending = liveness.check('s1', 'u1', T0);
    await hold.started;
    channel.resetListeners();
    hold.release();
    await pending;
    expect(liveness.size).toBe(0);
  });

  it('re-reads an entry that looks expired, since a rotation may have extended it', async () => {
    // Entries old enough to outlive the idle expiry, so only the expiry can make it re-read.
    liveness = createCachedSessionLiveness(sessions, channel, {
      maxEntries: 100,
      maxAgeMs: 120 * MINUTE,
    });
    await liveness.check('s1', 'u1', T0);
    const rotatedIdle = T0 + 20 * MINUTE;
    sessions.put(sessionRecord('s1', 'u1', { idleExpiresAt: rotatedIdle }));
    expect(await liveness.check('s1', 'u1', T0 + 10 * MINUTE)).toBeNull();
    expect(sessions.reads).toBe(2);
    // The fresh row is cached again.
    expect(await liveness.check('s1', 'u1', T0 + 10 * MINUTE + 1)).toBeNull();
    expect(sessions.reads).toBe(2);
    // And a genuinely expired session is refused by the store's answer.
    expect(await liveness.check('s1', 'u1', rotatedIdle)).toBe('TOKEN_EXPIRED');
    expect(sessions.reads).toBe(3);
  });

  it('serves an entry for at most maxAgeMs', async () => {
    await liveness.check('s1', 'u1', T0);
    await liveness.check('s1', 'u1', T0 + 29_999);
    expect(sessions.reads).toBe(1);
    await liveness.check('s1', 'u1', T0 + 30_000);
    expect(sessions.reads).toBe(2);
    // A clock that went backwards does not make an entry young again.
    await liveness.check('s1', 'u1', T0);
    expect(sessions.reads).toBe(3);
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const small = createCachedSessionLiveness(sessions, channel, {
      maxEntries: 2,
      maxAgeMs: 30_000,
    });
    await small.check('s1', 'u1', T0);
    await small.check('s2', 'u1', T0);
    await small.check('s1', 'u1', T0); // s1 is now the most recent
    await small.check('s3', 'u1', T0); // evicts s2
    expect(small.size).toBe(2);
    const before = sessions.reads;
    await small.check('s1', 'u1', T0);
    await small.check('s3', 'u1', T0);
    expect(sessions.reads).toBe(before);
    await small.check('s2', 'u1', T0);
    expect(sessions.reads).toBe(before + 1);
  });

  it('stops listening when closed', async () => {
    await liveness.check('s1', 'u1', T0);
    liveness.close();
    expect(liveness.size).toBe(0);
    await channel.publish({ kind: 'session', sessionId: 's1' });
    expect(channel.published).toHaveLength(1);
  });
});
