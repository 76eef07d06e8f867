import { randomUUID } from 'node:crypto';
import { isValidEmail, normaliseEmail } from '../../auth/accounts/email.js';
import type { OutboxMail } from '../../auth/ports/link-records.js';
import { composeMail } from '../../auth/recovery/mail-messages.js';
import { createJsonLogger } from '../../logger.js';
import { messageIdDomain, selectMailer } from '../../mail/select-mailer.js';
import { type CliCommand, EXIT, parseCommandArgs, UsageError } from '../command.js';

const testMail: CliCommand = {
  name: 'mail:test',
  usage: '--to <address>',
  summary:
    'Send a test mail now, through SMTP_URL (or, outside production without it, the log), and say how it went.',
  prepare(args) {
    const { values } = parseCommandArgs(args, { to: { type: 'string' } }, 0);
    const to = normaliseEmail(values.to ?? '');
    if (!isValidEmail(to)) throw new UsageError('--to needs an e-mail address');
    return async ({ config, io }) => {
      const { mail } = config;
      if (mail.smtpUrl === null && config.isProduction) {
        io.err('SMTP_URL is unset: production sends mail only through SMTP');
        return EXIT.failed;
      }
      // Straight to the transport, not through the outbox: the operator learns at once whether
      // the mail server takes mail, with its own error when it does not.
      const mailer = selectMailer(
        mail,
        createJsonLogger((line) => io.out(line.trimEnd())),
      );
      try {
        await mailer.send({
          messageId: `<${randomUUID()}@${messageIdDomain(mail.from)}>`,
          to,
          ...composeMail('test', {}),
        });
      } catch (error) {
        io.err(`not sent: ${error instanceof Error ? error.message : String(error)}`);
        return EXIT.failed;
      } finally {
        await mailer.close();
      }
      io.out(`sent to ${to} through ${mail.smtpDescription ?? 'the log'}`);
      return EXIT.ok;
    };
  },
};

const LIST_LIMIT = 100;

const listOutbox: CliCommand = {
  name: 'mail:outbox',
  usage: '[--json]',
  summary: `List pending and dead-lettered mails (up to ${LIST_LIMIT} each, oldest first), never their bodies.`,
  prepare(args) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, 0);
    return async ({ io, openStore }) => {
      const { outbox } = await openStore();
      const counts = await outbox.countByState();
      const pending = await outbox.list(['pending'], LIST_LIMIT);
      const dead = await outbox.list(['dead'], LIST_LIMIT);
      if (values.json) {
        io.out(JSON.stringify({ counts, pending: pending.map(summary), dead: dead.map(summary) }));
        return EXIT.ok;
      }
      io.out(
        `pending ${counts.pending}, dead ${counts.dead}, sent ${counts.sent}, dropped ${counts.dropped}`,
      );
      for (const mail of [...pending, ...dead]) io.out(describe(mail));
      return EXIT.ok;
    };
  },
};

/** What an operator may see of a mail: never the payload, which holds the link. */
function summary(mail: OutboxMail): Record<string, unknown> {
  return {
    id: mail.id,
    state: mail.state,
    kind: mail.kind,
    recipient: mail.recipient,
    createdAt: new Date(mail.createdAt).toISOString(),
    attempts: mail.attempts,
    nextAttemptAt: mail.state === 'pending' ? new Date(mail.nextAttemptAt).toISOString() : null,
    lastError: mail.lastError,
  };
}

function describe(mail: OutboxMail): string {
  const { id, state, kind, recipient, createdAt, attempts, nextAttemptAt, lastError } =
    summary(mail);
  const next = nextAttemptAt === null ? '' : ` next ${nextAttemptAt}`;
  const error = lastError === null ? '' : ` error: ${lastError}`;
  return `${state} ${kind} to ${recipient} (${id}) queued ${createdAt}, ${attempts} attempts${next}${error}`;
}

export const mailCommands: readonly CliCommand[] = [testMail, listOutbox];
