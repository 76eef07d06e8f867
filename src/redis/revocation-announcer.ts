import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RevocationChannel, RevocationListener } from '../auth/ports/revocation-channel.js';
import type { Logger } from '../logger.js';
import { waitUntilReady } from './connection.js';
import { encodeRevocationMessage } from './revocation-message.js';

export interface RevocationAnnouncerOptions {
  readonly publisher: Redis;
  readonly channelName: string;
  readonly logger: Logger;
  /** How long a publish waits for a connection still being opened; 2 s by default. */
  readonly readyTimeoutMs?: number;
}

/**
 * The sending half of the revocation channel, for short-lived processes such as the CLI: it
 * never listens, so it is never healthy (nothing may be cached on its word), and a publish
 * waits for the connection to open, since the process may exit right after.
 */
export function createRevocationAnnouncer(options: RevocationAnnouncerOptions): RevocationChannel {
  const { publisher, channelName, logger } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 2000;
  const origin = randomUUID();
  const listeners = new Set<RevocationListener>();

  function warnUnsent(reason: string): void {
    logger.warn(
      'revocation announcement failed; running instances may trust cached sessions until SESSION_CACHE_TTL ends',
      { error: reason },
    );
  }

  return {
    async publish(revocation) {
      for (const listener of listeners) listener.revoked(revocation);
      if (!(await waitUntilReady(publisher, readyTimeoutMs))) {
        warnUnsent(`not connected after ${readyTimeoutMs} ms`);
        return;
      }
      try {
        await publisher.publish(channelName, encodeRevocationMessage({ origin, revocation }));
      } catch (error) {
        warnUnsent(error instanceof Error ? error.message : String(error));
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    isHealthy: () => false,
    async close() {
      listeners.clear();
    },
  };
}
