import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { OutboxMail } from '../ports/link-records.js';
import type { Mailer } from '../ports/mailer.js';
import type { Store } from '../ports/store.js';
import { type LinkSettings, linkFor } from './link-settings.js';
import { createLinkToken } from './link-tokens.js';
import { composeMail } from './mail-messages.js';
import { retryDelayMs } from './retry-delay.js';

/*
 * The outbox's sender. Mails are queued in the transaction of what they report; this loop takes
 * due mails by a lease (never a row lock held while sending), hands each to the mailer, and
 * settles it: sent (its body, with the link, erased), retried with backoff (1 s doubling to
 * 30 s), dropped (its link expired; a reset for no enabled account), or dead-lettered once
 * older than MAIL_MAX_AGE. Every instance may run one; the leases keep them apart. A crash after
 * a send and before its settlement sends the mail again when the lease runs out: the stable
 * Message-ID makes that duplicate recognisable.
 */

/** What the sender reports, for metrics and the log. Never a link or a body. */
export interface OutboxObserver {
  sent(mail: OutboxMail): void;
  retried(mail: OutboxMail, error: string): void;
  dropped(mail: OutboxMail, reason: string): void;
  deadLettered(mail: OutboxMail, error: string): void;
}

export interface OutboxSenderDeps {
  readonly store: Pick<Store, 'outbox' | 'users'>;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly links: LinkSettings;
  /** The domain of Message-IDs (MAIL_FROM's). */
  readonly messageIdDomain: string;
  /** MAIL_MAX_AGE in milliseconds. */
  readonly maxAgeMs: number;
  /**
   * One send's bound. The lease lasts longer and is renewed just before each send, so a slow
   * send is never sent twice meanwhile, however long the round.
   */
  readonly sendTimeoutMs: number;
  readonly observer: OutboxObserver;
  /** How often the loop looks for due mail when nobody wakes it; 1 s by default. */
  readonly pollMs?: number;
}

export interface OutboxSender {
  /** Sends what is due now; resolves with how many mails it settled or retried. */
  deliverDue(): Promise<number>;
  /** Runs {@link deliverDue} soon, instead of at the next poll. */
  wake(): void;
  /** Starts polling. */
  start(): void;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
}

const BATCH = 20;

export function createOutboxSender(deps: OutboxSenderDeps): OutboxSender {
  const owner = randomUUID();
  const leaseMs = deps.sendTimeoutMs * 2 + 5_000;
  const { outbox } = deps.store;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  /** Delivers one leased mail; 'failed' when the mailer refused or timed out (it is retried). */
  async function deliverOne(mail: OutboxMail): Promise<'done' | 'failed'> {
    const now = deps.clock.now();
    if (now - mail.createdAt >= deps.maxAgeMs) {
      const error = mail.lastError ?? 'MAIL_MAX_AGE reached';
      if (await outbox.settle(mail.id, owner, { state: 'dead', now, reason: error })) {
        deps.observer.deadLettered(mail, error);
      }
      return 'done';
    }
    let payload = mail.payload;
    if (mail.kind === 'reset_password' && payload === null) {
      // The request looked nothing up (see request-password-reset.ts): the sender does.
      const user = await deps.store.users.findByEmail(mail.recipient);
      if (user === null || user.disabledAt !== null) {
        const reason = user === null ? 'no_account' : 'account_disabled';
        if (await outbox.settle(mail.id, owner, { state: 'dropped', now, reason })) {
          deps.observer.dropped(mail, reason);
        }
        return 'done';
      }
      const { token, record } = createLinkToken(
        deps.links,
        'reset_password',
        user,
        user.email,
        now,
      );
      payload = { link: linkFor(deps.links, 'reset_password', token) };
      // False when the lease ran out, or the account changed meanwhile: the next look decides.
      if (!(await outbox.attachLink(mail.id, owner, { link: record, payload }))) return 'done';
      mail = { ...mail, linkExpiresAt: record.expiresAt };
    }
    if (mail.linkExpiresAt !== null && mail.linkExpiresAt <= now) {
      if (await outbox.settle(mail.id, owner, { state: 'dropped', now, reason: 'link_expired' })) {
        deps.observer.dropped(mail, 'link_expired');
      }
      return 'done';
    }
    const content = composeMail(mail.kind, payload ?? {});
    // A whole lease ahead of the send, or no send: another sender may hold the mail by now.
    if (!(await outbox.renewLease(mail.id, owner, deps.clock.now(), leaseMs))) return 'done';
    try {
      await withTimeout(
        deps.mailer.send({
          messageId: `<${mail.id}@${deps.messageIdDomain}>`,
          to: mail.recipient,
          ...content,
        }),
        deps.sendTimeoutMs,
      );
    } catch (caught) {
      const error = caught instanceof Error ? caught.message : String(caught);
      const nextAttemptAt = deps.clock.now() + retryDelayMs(mail.attempts + 1);
      if (await outbox.retry(mail.id, owner, { nextAttemptAt, error: error.slice(0, 500) })) {
        deps.observer.retried(mail, error);
      }
      return 'failed';
    }
    if (
      await outbox.settle(mail.id, owner, { state: 'sent', now: deps.clock.now(), reason: null })
    ) {
      deps.observer.sent(mail);
    }
    return 'done';
  }

  /**
   * Leases a batch and delivers it mail by mail. A failed send ends the round: the mail server
   * is likely down, so the rest of the batch is released (a lease ending now) for the next
   * round, instead of each mail timing out in turn. A mail whose delivery threw (the store
   * failed) is left to its lease; the others still go.
   */
  async function round(): Promise<number> {
    const due = await outbox.claimDue({ owner, now: deps.clock.now(), leaseMs, limit: BATCH });
    for (const [index, mail] of due.entries()) {
      const outcome = await deliverOne(mail).catch(() => 'done' as const);
      if (outcome === 'failed') {
        const now = deps.clock.now();
        for (const rest of due.slice(index + 1)) await outbox.renewLease(rest.id, owner, now, 0);
        break;
      }
    }
    return due.length;
  }

  function deliverDue(): Promise<number> {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await round();
      } while (again);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      deliverDue()
        .catch(() => 0) // the store or the mailer failed this round; the next one retries
        .finally(() => schedule(deps.pollMs ?? 1_000));
    }, delayMs);
    timer.unref();
  }

  return {
    deliverDue,
    wake: () => schedule(0),
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the mail server within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
