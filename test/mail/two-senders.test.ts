import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mailer, OutgoingMail } from '../../src/auth/ports/mailer.js';
import type { Store } from '../../src/auth/ports/store.js';
import { createOutboxSender, type OutboxSender } from '../../src/auth/recovery/deliver-outbox.js';
import { openPostgresStore } from '../../src/db/postgres/open.js';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp-peer.js';
import { postgresTestStoreUrl, testStoreKind } from '../helpers/store.js';

// Issue 13: two instances' senders on one outbox send each mail once. On PostgreSQL each sender
// has its own connection pool, as two processes would.

let app: TestApp;
let peer: SmtpPeer;
let secondStore: Store | null = null;

beforeEach(async () => {
  app = await createTestApp();
  peer = await startSmtpPeer();
});
afterEach(async () => {
  await secondStore?.close();
  secondStore = null;
  await peer.close();
  await app.close();
});

const SEND_TIMEOUT = 5_000;

/** A sender on `store` handing its mails to `mailer` (the SMTP peer by default). */
function senderOn(store: Store, mailer?: Mailer): OutboxSender {
  return createOutboxSender({
    store,
    mailer:
      mailer ??
      createSmtpMailer(`smtp://127.0.0.1:${peer.port}`, 'Auth <auth@example.com>', SEND_TIMEOUT),
    clock: app.clock,
    links: app.config.links,
    messageIdDomain: 'example.com',
    maxAgeMs: 86_400_000,
    sendTimeoutMs: SEND_TIMEOUT,
    observer: { sent() {}, retried() {}, dropped() {}, deadLettered() {} },
  });
}

describe(`${testStoreKind()}: two senders on one outbox`, () => {
  it('deliver 30 mails between them, each exactly once', async () => {
    const count = 30;
    for (let i = 0; i < count; i++) await app.signUp(`pair${i}@example.com`);
    for (let i = 0; i < 10; i++) {
      await app.graphql(`mutation { requestPasswordReset(email: "pair${i}@example.com") }`);
    }
    secondStore =
      testStoreKind() === 'postgres'
        ? await openPostgresStore(postgresTestStoreUrl(app.deps.store), { maxConnections: 4 })
        : null;
    const a = senderOn(app.deps.store);
    const b = senderOn(secondStore ?? app.deps.store);
    // Both race for the same due mails, round after round, truly at once.
    const rounds = await Promise.all([
      a.deliverDue(),
      b.deliverDue(),
      a.deliverDue(),
      b.deliverDue(),
    ]);
    expect(rounds.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(count + 10);
    await Promise.all([a.deliverDue(), b.deliverDue()]);

    const ids = peer.received.map((mail) => mail.messageId);
    expect(ids).toHaveLength(count + 10);
    expect(new Set(ids).size).toBe(count + 10);
    expect((await app.deps.store.outbox.countByState()).pending).toBe(0);
  });
});

describe(`${testStoreKind()}: a long round`, () => {
  it('sends no mail twice when its lease ran out while earlier mails of the batch were sent', async () => {
    const count = 6;
    for (let i = 0; i < count; i++) await app.signUp(`slow${i}@example.com`);
    const sent: string[] = [];
    let b: OutboxSender | null = null;
    // Each of A's sends takes as long as a send may (just under SMTP_TIMEOUT), so the later
    // mails of A's batch outlive their lease before A reaches them; B looks meanwhile.
    const slowMailer = {
      async send(mail: OutgoingMail) {
        app.clock.advanceMilliseconds(SEND_TIMEOUT - 1);
        await b?.deliverDue();
        sent.push(mail.messageId);
      },
      async close() {},
    };
    const fastMailer = {
      async send(mail: OutgoingMail) {
        sent.push(mail.messageId);
      },
      async close() {},
    };
    const a = senderOn(app.deps.store, slowMailer);
    b = senderOn(app.deps.store, fastMailer);
    await a.deliverDue();
    await b.deliverDue();
    expect(new Set(sent).size).toBe(count);
    expect(sent).toHaveLength(count);
    expect((await app.deps.store.outbox.countByState()).pending).toBe(0);
  });

  it('a failed send ends the round and frees the rest of the batch for the next one', async () => {
    for (let i = 0; i < 3; i++) await app.signUp(`down${i}@example.com`);
    let attempts = 0;
    const down = {
      async send() {
        attempts++;
        throw new Error('connect ECONNREFUSED');
      },
      async close() {},
    };
    const sender = senderOn(app.deps.store, down);
    await sender.deliverDue();
    expect(attempts).toBe(1);
    // The two not tried are due again at once, not after their lease.
    const again = await sender.deliverDue();
    expect(again).toBe(2);
    expect(attempts).toBe(2);
  });
});
