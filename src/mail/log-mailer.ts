import type { Mailer } from '../auth/ports/mailer.js';
import type { Logger } from '../logger.js';

/**
 * Outside production without SMTP_URL: each mail is one JSON log line with its text, so a new
 * user sees the link in the terminal. The one documented exception to "no log line carries a
 * token"; production refuses to start without SMTP_URL (config/mail.ts).
 */
export function createLogMailer(logger: Pick<Logger, 'info'>): Mailer {
  return {
    async send(mail) {
      logger.info('mail (not sent: SMTP_URL is unset)', {
        messageId: mail.messageId,
        to: mail.to,
        subject: mail.subject,
        // The first link on its own, for a terminal user to copy; the text holds them all.
        link: /https?:\/\/\S+/.exec(mail.text)?.[0] ?? null,
        text: mail.text,
      });
    },
    async close() {},
  };
}
