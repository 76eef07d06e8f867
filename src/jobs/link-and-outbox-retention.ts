import type { AccountStore } from '../auth/ports/account-store.js';
import type { FactorStore } from '../auth/ports/factor-store.js';
import type { OutboxStore } from '../auth/ports/outbox-store.js';
import type { PasskeyStore } from '../auth/ports/passkey-store.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * How long an expired link token is kept: for a week its link still answers LINK_EXPIRED (ask
 * for a new one), not LINK_INVALID. After that only its hash would remain, opening nothing.
 */
export const EXPIRED_LINK_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Now and then hourly: deletes settled outbox rows (sent, dropped, dead-lettered) older than
 * `retentionSeconds`, which hold no body but each name a recipient, kept no longer than the
 * audit log keeps its events (pending mails are never touched); link tokens expired more
 * than {@link EXPIRED_LINK_KEPT_MS} ago; and pending TOTP factors that were never confirmed
 * (each holds a sealed secret nobody can use any more), and passkey challenges never answered.
 * Returns a function that stops the schedule; the timer
 * does not keep the process alive.
 */
export function scheduleLinkAndOutboxRetention(
  store: { readonly outbox: Pick<OutboxStore, 'purgeSettled'> } & {
    readonly accounts: Pick<AccountStore, 'purgeExpiredLinks'>;
    readonly factors: Pick<FactorStore, 'purgeExpiredPending'>;
    readonly passkeys: Pick<PasskeyStore, 'purgeExpiredChallenges'>;
  },
  clock: Clock,
  retentionSeconds: number,
  logger: Logger,
): () => void {
  const purge = (): void => {
    const now = clock.now();
    store.outbox.purgeSettled(now - retentionSeconds * 1000).then(
      (deleted) => {
        if (deleted > 0) logger.info('settled mails purged', { deleted, retentionSeconds });
      },
      (error: unknown) => logger.error('outbox purge failed', error),
    );
    store.accounts.purgeExpiredLinks(now - EXPIRED_LINK_KEPT_MS).then(
      (deleted) => {
        if (deleted > 0) logger.info('expired link tokens purged', { deleted });
      },
      (error: unknown) => logger.error('link token purge failed', error),
    );
    store.factors.purgeExpiredPending(now).then(
      (deleted) => {
        if (deleted > 0) logger.info('expired pending factors purged', { deleted });
      },
      (error: unknown) => logger.error('pending factor purge failed', error),
    );
    store.passkeys.purgeExpiredChallenges(now).then(
      (deleted) => {
        if (deleted > 0) logger.info('expired passkey challenges purged', { deleted });
      },
      (error: unknown) => logger.error('passkey challenge purge failed', error),
    );
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
