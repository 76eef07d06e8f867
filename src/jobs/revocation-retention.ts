import { purgeRevocations } from '../auth/live/purge-revocations.js';
import type { RevocationStore } from '../auth/ports/store.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

const PURGE_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Deletes the revocation records past their use now and then every five minutes. Returns a
 * function that stops the schedule. The timer does not keep the process alive.
 */
export function scheduleRevocationRetention(
  store: RevocationStore,
  clock: Clock,
  accessTokenTtl: number,
  logger: Logger,
): () => void {
  const purge = (): void => {
    purgeRevocations(store, clock, accessTokenTtl).then(
      (deleted) => {
        if (deleted > 0) logger.debug('revocation records purged', { deleted });
      },
      (error: unknown) => logger.error('revocation purge failed', error),
    );
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
