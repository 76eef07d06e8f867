import type { Mailer } from '../auth/ports/mailer.js';
import type { MailConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createLogMailer } from './log-mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

/**
 * SMTP when SMTP_URL is set; otherwise the log, which config/mail.ts allows only outside
 * production (it refuses to start a production server without SMTP_URL).
 */
export function selectMailer(mail: MailConfig, logger: Pick<Logger, 'info'>): Mailer {
  return mail.smtpUrl === null
    ? createLogMailer(logger)
    : createSmtpMailer(mail.smtpUrl, mail.from, mail.sendTimeoutMs);
}

/** The domain of Message-IDs: MAIL_FROM's, so a duplicate is recognisable as ours. */
export function messageIdDomain(from: string): string {
  const address = /<([^<>]+)>$/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1) || 'localhost';
}
