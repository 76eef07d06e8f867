import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Revocation } from '../../src/auth/ports/revocation-channel.js';
import { systemClock } from '../../src/clock.js';
import { openSqliteStore } from '../../src/db/sqlite/open.js';
import { silentLogger } from '../../src/logger.js';
import { closeRedisConnection } from '../../src/redis/connection.js';
import { createRedisRevocationChannel } from '../../src/redis/revocation-channel.js';
import {
  connectTestRedis,
  describeWithRedis,
  testRedisUrl,
  uniquePrefix,
  waitFor,
} from '../helpers/redis.js';

// `sessions:revoke` as a process with REDIS_URL set: running instances must hear about it.
// (Under test/redis/ with the other suites that need a Redis server, as .ci/run expects.)

const ROOT = new URL('../..', import.meta.url).pathname;

describeWithRedis('src/cli/main.ts with REDIS_URL', () => {
  // In hooks, so a skipped run leaves no directory behind.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-cli-redis-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('announces the sessions sessions:revoke ended', async () => {
    const prefix = uniquePrefix();
    const path = join(dir, 'auth.db');
    const store = openSqliteStore(path);
    const now = Date.now();
    await store.users.insert({
      id: 'u1',
      email: 'revoke@example.com',
      name: null,
      passwordHash: 'h',
      roles: ['USER'],
      createdAt: now,
      emailVerified: false,
      disabledAt: null,
    });
    await store.sessions.insert({
      id: 's1',
      userId: 'u1',
      currentRefreshJti: 'jti',
      rotatedAt: now,
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: now + 3_600_000,
      expiresAt: now + 7_200_000,
      userAgent: null,
      ip: null,
      restrictions: [],
      assuranceLevel: 1,
      authMethods: ['pwd'],
      authTime: now,
      stepUpDeadline: null,
    });
    await store.close();

    const subscriber = await connectTestRedis('cli-test-subscriber');
    const publisher = await connectTestRedis('cli-test-publisher');
    const channel = createRedisRevocationChannel({
      subscriber,
      publisher,
      channelName: `${prefix}revocations`,
      logger: silentLogger,
      clock: systemClock,
    });
    const heard: Revocation[] = [];
    channel.subscribe({ revoked: (revocation) => heard.push(revocation), reset() {} });
    try {
      await waitFor(() => channel.isHealthy(), 3000);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'sessions:revoke', '--user', 'revoke@example.com'],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: `file:${path}`,
            REDIS_URL: testRedisUrl(),
            REDIS_KEY_PREFIX: prefix,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(output).toBe('revoke@example.com: 1 session revoked\n');
      expect(code).toBe(0);
      await waitFor(() => heard.length === 1, 1000);
      expect(heard).toEqual([
        { kind: 'user', userId: 'u1', exceptSessionId: null, reason: 'revoked_by_admin' },
      ]);
    } finally {
      await channel.close();
      await Promise.all([closeRedisConnection(subscriber), closeRedisConnection(publisher)]);
    }
  });
});
