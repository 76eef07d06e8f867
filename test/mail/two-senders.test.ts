import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

function senderOn(store: Store): OutboxSender {
  return createOutboxSender({
    store,
    mailer: createSmtpMailer(`smtp://127.0.0.1:${peer.port}`, 'Auth <auth@example.com>', 5_000),
    clock: app.clock,
    links: app.config.links,
    messageIdDomain: 'example.com',
    maxAgeMs: 86_400_000,
    sendTimeoutMs: 5_000,
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
