import type { Transporter } from 'nodemailer';
import type { Mailer } from '../auth/ports/mailer.js';

/**
 * The mailer over SMTP (nodemailer): `smtp://` upgrades with STARTTLS when the server offers
 * it, `smtps://` is TLS from the start. Every wait is bounded by `timeoutMs`, after which the
 * outbox retries. nodemailer is imported, and the transport made, at the first mail: a start
 * with nothing to send never loads it (see BENCHMARKS.md, section 10). SMTP_URL was checked by config/.
 */
export function createSmtpMailer(url: string, from: string, timeoutMs: number): Mailer {
  let transport: Promise<Transporter> | null = null;
  function openTransport(): Promise<Transporter> {
    transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      }),
    );
    return transport;
  }
  return {
    async send(mail) {
      await (await openTransport()).sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      });
    },
    async close() {
      (await transport)?.close();
    },
  };
}
