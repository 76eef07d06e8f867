import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** Announcements kept while the publisher is away, sent again once it is back. */
const MAX_UNSENT = 1000;

/** Publishes announcements, keeping the ones that failed (the oldest dropped past 1000). */
export interface RevocationOutbox {
  /** Resolves true once sent, false once kept for later (logged); never rejects. */
  send(text: string): Promise<boolean>;
  /** Sends the kept announcements again, when the publisher is ready. */
  resendUnsent(): void;
}

export function createRevocationOutbox(
  publisher: Redis,
  channelName: string,
  logger: Logger,
): RevocationOutbox {
  const unsent: string[] = [];

  async function send(text: string): Promise<boolean> {
    try {
      await publisher.publish(channelName, text);
      return true;
    } catch (error) {
      logger.warn('revocation announcement failed; will resend once redis is back', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (unsent.length >= MAX_UNSENT) unsent.shift();
      unsent.push(text);
      return false;
    }
  }

  function resendUnsent(): void {
    if (unsent.length === 0 || publisher.status !== 'ready') return;
    for (const text of unsent.splice(0)) void send(text);
  }

  return { send, resendUnsent };
}
