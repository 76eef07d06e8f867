import { Counter, Gauge } from 'prom-client';
import type { OutboxMail } from '../auth/ports/link-records.js';
import type { OutboxStore } from '../auth/ports/outbox-store.js';
import type { OutboxObserver } from '../auth/recovery/deliver-outbox.js';
import type { Logger } from '../logger.js';
import type { AuthMetrics } from './metrics.js';

/**
 * The outbox's counters and its queue depth on `/metrics`, and what the log says about it. No
 * link, body or recipient reaches either: a mail is named by its id (its Message-ID) and kind,
 * and an address in a mail server's error is masked.
 *
 * A password reset is queued for every well-formed address (request-password-reset.ts), and
 * whether it was sent or dropped for want of an enabled account must not show on `/metrics`
 * (which may be unauthenticated): both count once in `auth_mail_password_resets_handled_total`,
 * never in the sent or dropped counters.
 */
export function observeOutbox(
  metrics: AuthMetrics | null,
  outbox: Pick<OutboxStore, 'countByState'>,
  logger: Pick<Logger, 'warn' | 'error'>,
): OutboxObserver {
  const counters = metrics === null ? null : addOutboxMetrics(metrics, outbox);
  return {
    sent(mail) {
      if (mail.kind === 'reset_password') counters?.resetsHandled.inc();
      else counters?.sent.inc({ kind: mail.kind });
    },
    retried(mail, error) {
      counters?.retried.inc({ kind: mail.kind });
      logger.warn('mail not sent; retrying', { ...describeMail(mail), error: masked(error) });
    },
    dropped(mail, reason) {
      if (mail.kind === 'reset_password' && ACCOUNT_REASONS.has(reason)) {
        counters?.resetsHandled.inc();
      } else {
        counters?.dropped.inc({ kind: mail.kind, reason });
      }
    },
    deadLettered(mail, error) {
      counters?.deadLettered.inc({ kind: mail.kind });
      logger.error('mail dead-lettered: unsent after MAIL_MAX_AGE', {
        ...describeMail(mail),
        error: masked(error),
        fix: 'check SMTP_URL and the mail server; `npm run cli -- mail:outbox` lists such mails',
      });
    },
  };
}

/** The drop reasons that say whether an enabled account has the address. */
const ACCOUNT_REASONS: ReadonlySet<string> = new Set(['no_account', 'account_disabled']);

/** A mail server's error without the addresses it may quote (a refused recipient, say). */
function masked(error: string): string {
  return error.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '<address>');
}

function describeMail(mail: OutboxMail): Record<string, unknown> {
  return { mailId: mail.id, kind: mail.kind, attempts: mail.attempts + 1 };
}

interface OutboxCounters {
  readonly sent: Counter<'kind'>;
  readonly retried: Counter<'kind'>;
  readonly dropped: Counter<'kind' | 'reason'>;
  readonly deadLettered: Counter<'kind'>;
  readonly resetsHandled: Counter;
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
      help: 'Mails not sent on purpose: their link expired (resets for no account: see below).',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'auth_mail_dead_lettered_total',
      help: 'Mails given up after MAIL_MAX_AGE.',
      labelNames: ['kind'],
      registers,
    }),
    resetsHandled: new Counter({
      name: 'auth_mail_password_resets_handled_total',
      help:
        'Password-reset requests settled: sent, or dropped for no enabled account (one figure, ' +
        'so that /metrics does not tell whether an account exists).',
      registers,
    }),
  };
}
