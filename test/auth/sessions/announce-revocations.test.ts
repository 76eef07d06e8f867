import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/auth/ports/store.js';
import { announceRevocations } from '../../../src/auth/sessions/announce-revocations.js';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';
import {
  createMemoryRevocationChannel,
  type MemoryRevocationChannel,
} from '../../helpers/memory-revocation-channel.js';
import { HOUR, newSession, newUser, T0 } from '../../helpers/records.js';

let inner: Store;
let store: Store;
let channel: MemoryRevocationChannel;

async function insertUser(id: string): Promise<void> {
  await inner.users.insert(newUser(id, { passwordHash: 'old-hash' }));
}

async function insertSession(id: string, userId: string): Promise<void> {
  await inner.sessions.insert(
    newSession(id, userId, { idleExpiresAt: T0 + HOUR, expiresAt: T0 + 2 * HOUR }),
  );
}

beforeEach(async () => {
  inner = openSqliteStore(':memory:');
  channel = createMemoryRevocationChannel();
  store = announceRevocations(inner, channel);
  await insertUser('u1');
  await insertUser('u2');
  for (const id of ['s1', 's2', 's3']) await insertSession(id, 'u1');
  await insertSession('t1', 'u2');
});
afterEach(() => store.close());

describe('announceRevocations', () => {
  it('announces a session it revoked, after the write', async () => {
    let readWhenHeard: Promise<number | null | undefined> | undefined;
    channel.subscribe({
      revoked() {
        readWhenHeard = inner.sessions.findById('s1').then((session) => session?.revokedAt);
      },
      reset() {},
    });
    expect(await store.sessions.revoke('s1', 'logout', T0)).toBe(true);
    expect(channel.published).toEqual([{ kind: 'session', sessionId: 's1', reason: 'logout' }]);
    // A listener that re-reads the store on hearing it finds the session revoked.
    expect(await readWhenHeard).toBe(T0);
  });

  it('announces nothing when nothing was revoked', async () => {
    await store.sessions.revoke('s1', 'logout', T0);
    channel.published.length = 0;
    expect(await store.sessions.revoke('s1', 'logout', T0)).toBe(false);
    expect(await store.sessions.revoke('missing', 'logout', T0)).toBe(false);
    // Another user's session, named with the wrong owner: not revoked, not announced.
    expect(await store.sessions.revoke('t1', 'revoked_by_user', T0, 'u1')).toBe(false);
    expect(await store.sessions.revokeAllForUser('nobody', 'revoked_by_admin', T0)).toBe(0);
    expect(channel.published).toEqual([]);
  });

  it('announces a user-wide revocation with the spared session', async () => {
    expect(await store.sessions.revokeAllForUser('u1', 'logout', T0, 's2')).toBe(2);
    expect(await store.sessions.revokeAllForUser('u2', 'revoked_by_admin', T0)).toBe(1);
    expect(channel.published).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: 's2', reason: 'logout' },
      { kind: 'user', userId: 'u2', exceptSessionId: null, reason: 'revoked_by_admin' },
    ]);
  });

  it('announces the sessions a password change revoked, sparing the kept one', async () => {
    const result = await store.users.changePassword({
      userId: 'u1',
      expectedPasswordHash: 'old-hash',
      passwordHash: 'new-hash',
      keepSessionId: 's3',
      nextRefreshJti: 'next',
      now: T0,
    });
    expect(result?.revokedSessions).toBe(2);
    expect(channel.published).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: 's3', reason: 'password_changed' },
    ]);
  });

  it('announces nothing for a password change that revoked nothing or failed', async () => {
    const change = {
      userId: 'u2',
      expectedPasswordHash: 'old-hash',
      passwordHash: 'new-hash',
      keepSessionId: 't1',
      nextRefreshJti: 'next',
      now: T0,
    };
    expect((await store.users.changePassword(change))?.revokedSessions).toBe(0);
    expect(await store.users.changePassword(change)).toBeNull(); // the hash changed meanwhile
    expect(channel.published).toEqual([]);
  });

  it('announces disabling and deleting with their reasons; enabling ends nothing', async () => {
    expect(await store.accounts.setDisabled({ userId: 'u1', disabled: true, now: T0 })).toBe(3);
    expect(await store.accounts.setDisabled({ userId: 'u1', disabled: false, now: T0 })).toBe(0);
    expect(await store.accounts.deleteUser({ userId: 'u2', now: T0 })).toBe(1);
    expect(channel.published).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: null, reason: 'account_disabled' },
      { kind: 'user', userId: 'u2', exceptSessionId: null, reason: 'account_deleted' },
    ]);
    // The rows carry the same reasons as the announcements.
    expect((await inner.sessions.findById('s1'))?.revokedReason).toBe('account_disabled');
    expect(await inner.sessions.findById('t1')).toBeNull();
  });

  it('passes everything else through to the same store', async () => {
    expect((await store.users.findByEmail('u1@example.com'))?.id).toBe('u1');
    expect((await store.sessions.listLiveForUser('u1', T0)).map((s) => s.id).sort()).toEqual([
      's1',
      's2',
      's3',
    ]);
    const rotated = await store.sessions.rotateRefreshToken({
      sessionId: 's1',
      userId: 'u1',
      presentedJti: 's1-jti',
      nextJti: 'j2',
      now: T0 + 1,
      idleTimeout: HOUR,
    });
    expect(rotated?.currentRefreshJti).toBe('j2');
    expect(store.signingKeys).toBe(inner.signingKeys);
    expect(store.auditEvents).toBe(inner.auditEvents);
    await store.ping();
    expect(channel.published).toEqual([]);
  });

  it('announces a confirmation that restricted other sessions, sparing the stepped-up one, and a reset', async () => {
    const confirmFirst = async (factorId: string) => {
      await store.factors.insertPending({
        id: factorId,
        userId: 'u1',
        type: 'TOTP',
        name: null,
        sealedSecret: 'sealed',
        createdAt: T0,
        expiresAt: T0 + HOUR,
      });
      return store.factors.confirm('u1', {
        factorId,
        step: 1,
        stepUp: {
          sessionId: 's1',
          userId: 'u1',
          authMethods: ['pwd', 'otp'],
          nextRefreshJti: `next-${factorId}`,
          now: T0 + 1,
          idleExpiresAt: T0 + HOUR,
        },
        recoveryCodeHashes: ['c'],
        otherSessionsDeadline: T0 + 600_000,
        notice: {
          id: `mail-${factorId}`,
          kind: 'mfa_enrolled',
          recipient: 'u1@example.com',
          userId: 'u1',
          payload: {},
          linkExpiresAt: null,
          createdAt: T0,
        },
      });
    };
    expect(await confirmFirst('f1')).toMatchObject({ restrictedSessions: 2 });
    expect(channel.published).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: 's1', reason: 'restrictions_changed' },
    ]);
    // The other sessions are restricted already: nothing more to announce.
    expect(await confirmFirst('f2')).toMatchObject({ restrictedSessions: 0 });
    expect(channel.published).toHaveLength(1);
    expect(await store.factors.resetUser('u1', T0 + 2)).toBe(3);
    expect(await store.factors.resetUser('u1', T0 + 3)).toBe(0);
    expect(channel.published.slice(1)).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: null, reason: 'mfa_reset' },
    ]);
  });
});
