/** A mail ready for the wire. */
export interface OutgoingMail {
  /** Stable across retries (`<id@domain>`), so a duplicate after a crash is recognisable. */
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Hands mail to a transport: SMTP (mail/smtp-mailer.ts) or, outside production, the log.
 * Resolves once the transport accepted the mail; rejects when it did not, and the outbox
 * retries. It must give up within its own timeout.
 */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}
