import { Counter, Gauge } from 'prom-client';
import type { OutboxMail } from '../auth/ports/link-records.js';
import type { OutboxStore } from '../auth/ports/outbox-store.js';
import type { OutboxObserver } from '../auth/recovery/deliver-outbox.js';
import type { Logger } from '../logger.js';
import type { AuthMetrics } from './metrics.js';

/**
 * The outbox's counters and its queue depth on `/metrics`, and what the log says about it. No
 * link, body or recipient reaches either: a mail is named by its id (its Message-ID) and kind.
 */
export function observeOutbox(
  metrics: AuthMetrics | null,
  outbox: Pick<OutboxStore, 'countByState'>,
  logger: Pick<Logger, 'warn' | 'error'>,
): OutboxObserver {
  const counters = metrics === null ? null : addOutboxMetrics(metrics, outbox);
  return {
    sent(mail) {
      counters?.sent.inc({ kind: mail.kind });
    },
    retried(mail, error) {
      counters?.retried.inc({ kind: mail.kind });
      logger.warn('mail not sent; retrying', { ...describeMail(mail), error });
    },
    dropped(mail, reason) {
      counters?.dropped.inc({ kind: mail.kind, reason });
    },
    deadLettered(mail, error) {
      counters?.deadLettered.inc({ kind: mail.kind });
      logger.error('mail dead-lettered: unsent after MAIL_MAX_AGE', {
        ...describeMail(mail),
        error,
        fix: 'check SMTP_URL and the mail server; `npm run cli -- mail:outbox` lists such mails',
      });
    },
  };
}

function describeMail(mail: OutboxMail): Record<string, unknown> {
  return { mailId: mail.id, kind: mail.kind, attempts: mail.attempts + 1 };
}

interface OutboxCounters {
  readonly sent: Counter<'kind'>;
  readonly retried: Counter<'kind'>;
  readonly dropped: Counter<'kind' | 'reason'>;
  readonly deadLettered: Counter<'kind'>;
}

function addOutboxMetrics(
  metrics: AuthMetrics,
  outbox: Pick<OutboxStore, 'countByState'>,
): OutboxCounters {
  const registers = [metrics.registry];
  new Gauge({
    name: 'auth_mail_outbox_pending',
    help: 'Mails in the outbox waiting to be sent (every instance shares the outbox).',
    registers,
    async collect() {
      this.set((await outbox.countByState()).pending);
    },
  });
  new Gauge({
    name: 'auth_mail_outbox_dead',
    help: 'Mails dead-lettered: unsent after MAIL_MAX_AGE.',
    registers,
    async collect() {
      this.set((await outbox.countByState()).dead);
    },
  });
  return {
    sent: new Counter({
      name: 'auth_mail_sent_total',
      help: 'Mails the mail server accepted, by this instance.',
      labelNames: ['kind'],
      registers,
    }),
    retried: new Counter({
      name: 'auth_mail_retried_total',
      help: 'Failed delivery attempts, each retried with backoff.',
      labelNames: ['kind'],
      registers,
    }),
    dropped: new Counter({
      name: 'auth_mail_dropped_total',
      help: 'Mails not sent on purpose: their link expired, or a reset for no enabled account.',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'auth_mail_dead_lettered_total',
      help: 'Mails given up after MAIL_MAX_AGE.',
      labelNames: ['kind'],
      registers,
    }),
  };
}
