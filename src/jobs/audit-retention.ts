import { purgeAuditEvents } from '../auth/events/audit-log.js';
import type { AuditEventStore } from '../auth/ports/store.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes audit events older than `retentionSeconds` now and then hourly. Returns a function
 * that stops the schedule. The timer does not keep the process alive.
 */
export function scheduleAuditRetention(
  store: AuditEventStore,
  clock: Clock,
  retentionSeconds: number,
  logger: Logger,
): () => void {
  const purge = (): void => {
    purgeAuditEvents(store, clock, retentionSeconds).then(
      (deleted) => {
        if (deleted > 0) logger.info('audit events purged', { deleted, retentionSeconds });
      },
      (error: unknown) => logger.error('audit purge failed', error),
    );
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
