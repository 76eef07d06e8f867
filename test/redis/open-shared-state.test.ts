import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Revocation } from '../../src/auth/ports/revocation-channel.js';
import type { Store } from '../../src/auth/ports/store.js';
import { systemClock } from '../../src/clock.js';
import type { RedisConfig } from '../../src/config.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { silentLogger } from '../../src/logger.js';
import { closeRedisConnection } from '../../src/redis/connection.js';
import {
  openAnnouncingStore,
  openSharedState,
  type SharedState,
} from '../../src/redis/open-shared-state.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import {
  connectTestRedis,
  deleteKeys,
  describeWithRedis,
  testRedisUrl,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';

// Two service instances on one database, each with its own Redis connections: what one
// revokes, the other stops accepting within a second, and their rate limits are one.

describeWithRedis('openSharedState', () => {
  let config: RedisConfig;
  let store: Store;
  let dir: string;
  let admin: Redis;
  const opened: SharedState[] = [];

  beforeEach(async () => {
    config = {
      url: testRedisUrl(),
      host: 'test',
      keyPrefix: uniquePrefix(),
      sessionCacheTtl: 30,
      sessionCacheSize: 100,
      commandTimeoutMs: 500,
    };
    dir = mkdtempSync(join(tmpdir(), 'auth-shared-state-'));
    store = openSqliteStore(join(dir, 'auth.db'));
    admin = await connectTestRedis('shared-state-admin');
    await store.users.insert(newUser('u1'));
    for (const id of ['s1', 's2']) {
      await store.sessions.insert(
        newSession(id, 'u1', { idleExpiresAt: T0 + HOUR, expiresAt: T0 + 2 * HOUR }),
      );
    }
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((shared) => shared.close()));
    await deleteKeys(admin, config.keyPrefix);
    await closeRedisConnection(admin);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openInstance(overrides: Partial<RedisConfig> = {}): Promise<SharedState> {
    const shared = await openSharedState({ ...config, ...overrides }, store, {
      logger: silentLogger,
      clock: systemClock,
    });
    opened.push(shared);
    expect(shared.connected).toBe(true);
    await waitFor(() => shared.channel.isHealthy(), 3000);
    return shared;
  }

  /** Counts the store's session reads, to tell a cached answer from a store read. */
  function countSessionReads(): { count: number } {
    const counter = { count: 0 };
    const { sessions } = store;
    const findById = sessions.findById.bind(sessions);
    const findWithUser = sessions.findWithUser.bind(sessions);
    sessions.findById = (id) => {
      counter.count++;
      return findById(id);
    };
    sessions.findWithUser = (id) => {
      counter.count++;
      return findWithUser(id);
    };
    return counter;
  }

  /** Records what an instance's channel delivers (after its liveness cache has heard it). */
  function listen(shared: SharedState): Revocation[] {
    const heard: Revocation[] = [];
    shared.channel.subscribe({ revoked: (revocation) => heard.push(revocation), reset() {} });
    return heard;
  }

  it('a revocation on one instance reaches the other instance within a second', async () => {
    const reads = countSessionReads();
    const a = await openInstance();
    const b = await openInstance();
    expect(await b.liveness.check('s1', 'u1', T0)).toBeNull();
    expect(await b.liveness.check('s1', 'u1', T0)).toBeNull();
    expect(reads.count).toBe(1); // b answers from its cache now
    const heard = listen(b);

    const revokedAt = performance.now();
    expect(await a.store.sessions.revoke('s1', 'logout', T0)).toBe(true);
    // The wait is generous so that the second is what is asserted, not what is waited for.
    await waitFor(() => heard.length === 1, 3000);
    expect(performance.now() - revokedAt).toBeLessThan(1000);
    expect(await b.liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(reads.count).toBe(2);
  });

  it('spares the session a user-wide revocation kept', async () => {
    const a = await openInstance();
    const b = await openInstance();
    await b.liveness.check('s1', 'u1', T0);
    await b.liveness.check('s2', 'u1', T0);
    const heard = listen(b);
    await a.store.sessions.revokeAllForUser('u1', 'logout', T0, 's2');
    await waitFor(() => heard.length === 1, 1000);
    expect(await b.liveness.check('s1', 'u1', T0)).toBe('SESSION_REVOKED');
    expect(await b.liveness.check('s2', 'u1', T0)).toBeNull();
  });

  it('shares rate-limit counters between instances', async () => {
    const a = await openInstance();
    const b = await openInstance();
    const rule = { limit: 2, windowSeconds: 60 };
    expect(await a.rateLimits.consume('ip', rule, T0)).toEqual({ allowed: true });
    expect(await b.rateLimits.consume('ip', rule, T0)).toEqual({ allowed: true });
    expect(await a.rateLimits.consume('ip', rule, T0)).toMatchObject({ allowed: false });
    expect(await b.rateLimits.consume('ip', rule, T0)).toMatchObject({
      allowed: false,
      repeated: true,
    });
  });

  it('reads the store on every check with SESSION_CACHE_TTL=0', async () => {
    const reads = countSessionReads();
    const a = await openInstance({ sessionCacheTtl: 0 });
    await a.liveness.check('s1', 'u1', T0);
    await a.liveness.check('s1', 'u1', T0);
    expect(reads.count).toBe(2);
  });

  it('the CLI store announces its revocations to running instances', async () => {
    const b = await openInstance();
    await b.liveness.check('s1', 'u1', T0);
    await b.liveness.check('s2', 'u1', T0);
    const heard = listen(b);
    // The CLI opens the same database on its own, and closes it with the announcer.
    const cli = openAnnouncingStore(config, openSqliteStore(join(dir, 'auth.db')), silentLogger);
    expect(await cli.sessions.revokeAllForUser('u1', 'revoked_by_admin', T0)).toBe(2);
    await cli.close();
    await waitFor(() => heard.length === 1, 1000);
    expect(heard).toEqual([
      { kind: 'user', userId: 'u1', exceptSessionId: null, reason: 'revoked_by_admin' },
    ]);
    expect(await b.liveness.check('s2', 'u1', T0)).toBe('SESSION_REVOKED');
  });
});
