import type { OutboxStore } from '../auth/ports/outbox-store.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes settled outbox rows (sent, dropped, dead-lettered) older than `retentionSeconds`, now
 * and then hourly: they hold no body, but each names a recipient, which is kept no longer than
 * the audit log keeps its events. Pending mails are never touched. Returns a function that
 * stops the schedule; the timer does not keep the process alive.
 */
export function scheduleOutboxRetention(
  outbox: Pick<OutboxStore, 'purgeSettled'>,
  clock: Clock,
  retentionSeconds: number,
  logger: Logger,
): () => void {
  const purge = (): void => {
    outbox.purgeSettled(clock.now() - retentionSeconds * 1000).then(
      (deleted) => {
        if (deleted > 0) logger.info('settled mails purged', { deleted, retentionSeconds });
      },
      (error: unknown) => logger.error('outbox purge failed', error),
    );
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
