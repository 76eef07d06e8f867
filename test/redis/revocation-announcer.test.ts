import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Revocation } from '../../src/auth/ports/revocation-channel.js';
import { closeRedisConnection, openRedisConnection } from '../../src/redis/connection.js';
import { createRevocationAnnouncer } from '../../src/redis/revocation-announcer.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';

// Needs no Redis: this is what the CLI does when the one it was given cannot be reached.

describe('createRevocationAnnouncer', () => {
  it('gives up after its ready timeout, logging, without throwing', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const logger = createRecordingLogger();
    const publisher = openRedisConnection(`redis://127.0.0.1:${port}`, {
      name: 'cli',
      logger: createRecordingLogger(),
      lazy: true,
    });
    const announcer = createRevocationAnnouncer({
      publisher,
      channelName: 'nowhere',
      logger,
      readyTimeoutMs: 300,
    });
    const heard: Revocation[] = [];
    announcer.subscribe({ revoked: (revocation) => heard.push(revocation), reset() {} });
    try {
      const started = performance.now();
      await expect(announcer.publish({ kind: 'session', sessionId: 's1' })).resolves.toBe(
        undefined,
      );
      expect(performance.now() - started).toBeLessThan(1000);
      expect(heard).toEqual([{ kind: 'session', sessionId: 's1' }]);
      expect(logger.entries.map((entry) => entry.level)).toEqual(['warn']);
      // It never listens, so nothing may ever be cached on its word.
      expect(announcer.isHealthy()).toBe(false);
    } finally {
      await announcer.close();
      await closeRedisConnection(publisher);
    }
  });
});
