import type { ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxSender, type OutboxSender } from '../../src/auth/recovery/deliver-outbox.js';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp-peer.js';

// Issue 13: mail through a real SMTP peer (smtp-server in process, mailparser to read it).

let app: TestApp;
let peer: SmtpPeer;
let sender: OutboxSender;
const outcomes: string[] = [];

function senderFor(port: number): OutboxSender {
  return createOutboxSender({
    store: app.deps.store,
    mailer: createSmtpMailer(`smtp://127.0.0.1:${port}`, 'Auth <auth@example.com>', 2_000),
    clock: app.clock,
    links: app.config.links,
    messageIdDomain: 'example.com',
    maxAgeMs: 86_400_000,
    sendTimeoutMs: 2_000,
    observer: {
      sent: (mail) => outcomes.push(`sent ${mail.kind}`),
      retried: (mail) => outcomes.push(`retried ${mail.kind}`),
      dropped: (mail, reason) => outcomes.push(`dropped ${mail.kind} ${reason}`),
      deadLettered: (mail) => outcomes.push(`dead ${mail.kind}`),
    },
  });
}

beforeEach(async () => {
  app = await createTestApp({ AUTH_ISSUER: 'https://auth.example.com' });
  peer = await startSmtpPeer();
  sender = senderFor(peer.port);
  outcomes.length = 0;
});
afterEach(async () => {
  await peer.close();
  await app.close();
});

function tokenOf(mail: ParsedMail | undefined): string {
  const match = /\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '');
  if (match?.[1] === undefined) throw new Error(`no link in ${mail?.text}`);
  return match[1];
}

const RESET = `mutation ($input: ResetPasswordInput!) {
  resetPassword(input: $input) { accessToken restrictions user { emailVerified } }
}`;

describe('password reset over SMTP', () => {
  it('mails a link to the built-in page, which resets once and ends every old session', async () => {
    const account = await app.signUp('reset@example.com');
    const asked = await app.graphql(
      'mutation { requestPasswordReset(email: "Reset@Example.com") }',
    );
    expect(asked.data).toEqual({ requestPasswordReset: true });
    await sender.deliverDue();

    const reset = peer.received.find((mail) => mail.subject === 'Reset your password');
    expect(reset?.to).toMatchObject({ text: 'reset@example.com' });
    expect(reset?.messageId).toMatch(/@example\.com>$/);
    expect(reset?.html).toContain('https://auth.example.com/reset-password?token=');
    expect(reset?.text).toContain('https://auth.example.com/reset-password?token=');
    const token = tokenOf(reset);

    const attempts = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.graphql(RESET, {
          variables: { input: { token, newPassword: 'a brand new password' } },
        }),
      ),
    );
    const winners = attempts.filter(
      (attempt) => attempt.data !== null && attempt.data !== undefined,
    );
    expect(winners).toHaveLength(1);
    for (const loser of attempts.filter((attempt) => !winners.includes(attempt))) {
      expect(firstError(loser)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LINK_INVALID' });
    }
    expect(winners[0]?.data).toMatchObject({
      resetPassword: { restrictions: [], user: { emailVerified: true } },
    });

    const me = await app.graphql('{ me { id } }', { token: account.accessToken });
    expect(firstError(me)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    await app.login('reset@example.com', 'a brand new password');

    await sender.deliverDue();
    expect(peer.received.map((mail) => mail.subject)).toContain('Your password was changed');
    // Sent mails keep no body: the link is gone from the outbox.
    const sent = await app.deps.store.outbox.list(['sent'], 10);
    expect(sent.every((mail) => mail.payload === null)).toBe(true);
  });

  it('answers the same for an unknown address, and sends nothing to it', async () => {
    const asked = await app.graphql(
      'mutation { requestPasswordReset(email: "nobody@example.com") }',
    );
    expect(asked.data).toEqual({ requestPasswordReset: true });
    await sender.deliverDue();
    expect(peer.received).toEqual([]);
    expect(outcomes).toEqual(['dropped reset_password no_account']);
  });

  it('refuses an expired link with LINK_EXPIRED', async () => {
    await app.signUp('late@example.com', PASSWORD);
    await app.graphql('mutation { requestPasswordReset(email: "late@example.com") }');
    await sender.deliverDue();
    const token = tokenOf(peer.received.find((mail) => mail.subject === 'Reset your password'));
    app.clock.advanceMilliseconds(31 * 60_000);
    const late = await app.graphql(RESET, {
      variables: { input: { token, newPassword: 'a brand new password' } },
    });
    expect(firstError(late)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LINK_EXPIRED' });
  });
});

describe('SMTP outage', () => {
  it('fails no request, retries, and delivers once SMTP is back', async () => {
    const { port } = peer;
    await peer.close();
    await app.signUp('outage@example.com');
    await sender.deliverDue();
    expect(outcomes).toEqual(['retried verify_email']);
    peer = await startSmtpPeer(port);
    app.clock.advanceMilliseconds(1_000);
    await sender.deliverDue();
    expect(outcomes).toEqual(['retried verify_email', 'sent verify_email']);
    expect(peer.received.map((mail) => mail.subject)).toEqual(['Verify your email address']);
    const token = tokenOf(peer.received[0]);
    const verified = await app.graphql('mutation ($t: String!) { verifyEmail(token: $t) }', {
      variables: { t: token },
    });
    expect(verified.data).toEqual({ verifyEmail: true });
  });
});
