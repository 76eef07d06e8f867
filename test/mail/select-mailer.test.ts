import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { messageIdDomain, selectMailer } from '../../src/mail/select-mailer.js';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';
import { startSmtpPeer } from '../helpers/smtp-peer.js';

// Issue 13: which transport mail takes, and the log's one JSON line per mail outside production.

const MAIL = {
  messageId: '<m1@example.com>',
  to: 'ada@example.com',
  subject: 'Reset your password',
  text: 'Open this link:\n\nhttps://auth.example.com/reset-password?token=abc\n',
  html: '<p>Open this link</p>',
};

describe('selectMailer', () => {
  it('without SMTP_URL (outside production), writes each mail to the log with its link', async () => {
    const { mail } = loadConfig({ DATABASE_URL: ':memory:' });
    const logger = createRecordingLogger();
    await selectMailer(mail, logger).send(MAIL);
    expect(logger.entries).toEqual([
      {
        level: 'info',
        message: 'mail (not sent: SMTP_URL is unset)',
        fields: expect.objectContaining({
          to: 'ada@example.com',
          messageId: '<m1@example.com>',
          link: 'https://auth.example.com/reset-password?token=abc',
        }),
      },
    ]);
  });

  it('with SMTP_URL, sends over SMTP and writes nothing to the log', async () => {
    const peer = await startSmtpPeer();
    try {
      const { mail } = loadConfig({
        DATABASE_URL: ':memory:',
        SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
        MAIL_FROM: 'Auth <auth@example.com>',
      });
      const logger = createRecordingLogger();
      const mailer = selectMailer(mail, logger);
      await mailer.send(MAIL);
      await mailer.close();
      expect(logger.entries).toEqual([]);
      expect(peer.received.map((received) => [received.messageId, received.subject])).toEqual([
        ['<m1@example.com>', 'Reset your password'],
      ]);
      expect(peer.received[0]?.html).toBe('<p>Open this link</p>');
    } finally {
      await peer.close();
    }
  });

  it('production refuses to start the server without SMTP_URL, and the CLI does not', () => {
    const production = {
      NODE_ENV: 'production',
      ...TEST_MFA_KEYS,
      DATABASE_URL: ':memory:',
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'https://api.example.com',
    };
    expect(() => loadConfig(production)).toThrow(/SMTP_URL/);
    expect(loadConfig(production, 'cli').mail.smtpUrl).toBeNull();
  });

  it("takes the Message-ID domain from MAIL_FROM's address", () => {
    expect(messageIdDomain('Auth <no-reply@mail.example.com>')).toBe('mail.example.com');
    expect(messageIdDomain('bare@example.org')).toBe('example.org');
  });
});
