import type { AuthDeps } from '../../src/auth/deps.js';
import type { OutgoingMail } from '../../src/auth/ports/mailer.js';
import { createOutboxSender, type OutboxSender } from '../../src/auth/recovery/deliver-outbox.js';
import type { TestApp } from './app.js';

/**
 * The outbox's real sender over a mailer that keeps what it is handed, for tests of the flows
 * (test/mail/ sends through a real SMTP peer instead). `outcomes` lists each settlement.
 */
export interface CapturedMail {
  readonly sender: OutboxSender;
  readonly sent: OutgoingMail[];
  readonly outcomes: string[];
  /** Delivers what is due, then returns the mails sent to `to` so far, oldest first. */
  deliverTo(to: string): Promise<OutgoingMail[]>;
}

export function captureMail(app: TestApp): CapturedMail {
  return captureMailOf(app.deps, app.config.mail.maxAge * 1000);
}

/** {@link captureMail} for tests that call the auth operations directly. */
export function captureMailOf(
  deps: Pick<AuthDeps, 'store' | 'clock' | 'settings'>,
  maxAgeMs = 86_400_000,
): CapturedMail {
  const sent: OutgoingMail[] = [];
  const outcomes: string[] = [];
  const sender = createOutboxSender({
    store: deps.store,
    mailer: {
      async send(mail) {
        sent.push(mail);
      },
      async close() {},
    },
    clock: deps.clock,
    links: deps.settings.links,
    messageIdDomain: 'example.com',
    maxAgeMs,
    sendTimeoutMs: 2_000,
    observer: {
      sent: (mail) => outcomes.push(`sent ${mail.kind}`),
      retried: (mail) => outcomes.push(`retried ${mail.kind}`),
      dropped: (mail, reason) => outcomes.push(`dropped ${mail.kind} ${reason}`),
      deadLettered: (mail) => outcomes.push(`dead ${mail.kind}`),
    },
  });
  return {
    sender,
    sent,
    outcomes,
    async deliverTo(to) {
      await sender.deliverDue();
      return sent.filter((mail) => mail.to === to);
    },
  };
}

/** The token of the link at `index` in a mail's text part (the undo link of a notice is 0). */
export function linkTokenOf(mail: OutgoingMail | undefined, index = 0): string {
  const tokens = [...(mail?.text ?? '').matchAll(/[?&]token=([A-Za-z0-9_-]{43})/g)];
  const token = tokens[index]?.[1];
  if (token === undefined) throw new Error(`no link #${index} in ${mail?.text}`);
  return token;
}

/** The URL of the first link in a mail's text part. */
export function linkOf(mail: OutgoingMail | undefined): string {
  const url = /https?:\/\/\S+/.exec(mail?.text ?? '')?.[0];
  if (url === undefined) throw new Error(`no link in ${mail?.text}`);
  return url;
}
