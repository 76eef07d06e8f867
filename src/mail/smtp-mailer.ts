import nodemailer from 'nodemailer';
import type { Mailer } from '../auth/ports/mailer.js';

/**
 * The mailer over SMTP (nodemailer): `smtp://` upgrades with STARTTLS when the server offers
 * it, `smtps://` is TLS from the start. Every wait is bounded by `timeoutMs`, after which the
 * outbox retries.
 */
export function createSmtpMailer(url: string, from: string, timeoutMs: number): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    async close() {
      transport.close();
    },
  };
}
