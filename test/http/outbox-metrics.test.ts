import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxSender } from '../../src/auth/recovery/deliver-outbox.js';
import { createAuthMetrics } from '../../src/http/metrics.js';
import { observeOutbox } from '../../src/http/outbox-metrics.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';

// Issue 13: what /metrics and the log say about the outbox, through an SMTP outage that lasts
// past MAIL_MAX_AGE.

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp({ MAIL_MAX_AGE: '1h' });
});
afterEach(() => app.close());

async function metric(metrics: ReturnType<typeof createAuthMetrics>, name: string) {
  const text = await metrics.registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('the outbox on /metrics and in the log', () => {
  it('counts retries, shows the queue, and dead-letters after MAIL_MAX_AGE with an error line', async () => {
    const metrics = createAuthMetrics();
    const logger = createRecordingLogger();
    const sender = createOutboxSender({
      store: app.deps.store,
      mailer: {
        send: () =>
          Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25 (for outage@example.com)')),
        async close() {},
      },
      clock: app.clock,
      links: app.config.links,
      messageIdDomain: 'example.com',
      maxAgeMs: app.config.mail.maxAge * 1000,
      sendTimeoutMs: 1_000,
      observer: observeOutbox(metrics, app.deps.store.outbox, logger),
    });
    await app.signUp('outage@example.com');
    await sender.deliverDue();
    expect(await metric(metrics, 'auth_mail_retried_total')).toBe(1);
    expect(await metric(metrics, 'auth_mail_outbox_pending')).toBe(1);
    expect(logger.entries.map((entry) => [entry.level, entry.message])).toEqual([
      ['warn', 'mail not sent; retrying'],
    ]);

    app.clock.advanceSeconds(3600);
    await sender.deliverDue();
    expect(await metric(metrics, 'auth_mail_dead_lettered_total')).toBe(1);
    expect(await metric(metrics, 'auth_mail_outbox_pending')).toBe(0);
    expect(await metric(metrics, 'auth_mail_outbox_dead')).toBe(1);
    const dead = logger.entries.at(-1);
    expect(dead).toMatchObject({
      level: 'error',
      message: 'mail dead-lettered: unsent after MAIL_MAX_AGE',
      fields: expect.objectContaining({ kind: 'verify_email', error: expect.any(String) }),
    });
    // Neither the log nor the dead letter keeps the link; the log masks the address.
    expect(JSON.stringify(logger.entries)).not.toContain('token=');
    expect(JSON.stringify(logger.entries)).not.toContain('outage@example.com');
    expect(JSON.stringify(logger.entries)).toContain('(for <address>)');
    const [letter] = await app.deps.store.outbox.list(['dead'], 1);
    expect(letter).toMatchObject({
      payload: null,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('counts a reset for an existing account and one for nobody alike: /metrics cannot tell them apart', async () => {
    const metrics = createAuthMetrics();
    const sender = createOutboxSender({
      store: app.deps.store,
      mailer: { async send() {}, async close() {} },
      clock: app.clock,
      links: app.config.links,
      messageIdDomain: 'example.com',
      maxAgeMs: app.config.mail.maxAge * 1000,
      sendTimeoutMs: 1_000,
      observer: observeOutbox(metrics, app.deps.store.outbox, createRecordingLogger()),
    });
    await app.signUp('known@example.com');
    await sender.deliverDue(); // the verification mail
    for (const email of ['known@example.com', 'nobody@example.com']) {
      await app.graphql('mutation ($e: String!) { requestPasswordReset(email: $e) }', {
        variables: { e: email },
      });
    }
    await sender.deliverDue();
    const text = await metrics.registry.metrics();
    expect(await metric(metrics, 'auth_mail_password_resets_handled_total')).toBe(2);
    expect(text).not.toMatch(/auth_mail_(sent|dropped)_total\{[^}]*reset_password/);
    expect(text).not.toContain('no_account');
    expect(await metric(metrics, 'auth_mail_sent_total')).toBe(1); // the verification mail
  });
});
