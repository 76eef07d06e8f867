import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { captureMail } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Settled outbox rows are purged after the retention period; pending mails never are.

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => app.close());

describe(`${testStoreKind()}: outbox retention`, () => {
  it('deletes sent and dropped mails settled before the cutoff, keeping later and pending ones', async () => {
    const mail = captureMail(app);
    await app.signUp('kept@example.com'); // a verification mail, sent below
    await app.graphql('mutation { requestPasswordReset(email: "nobody@example.com") }');
    await mail.sender.deliverDue(); // one sent, one dropped (no account)
    expect(mail.outcomes.sort()).toEqual([
      'dropped reset_password no_account',
      'sent verify_email',
    ]);
    const settledAt = app.clock.now();
    app.clock.advanceSeconds(60);
    await app.signUp('late@example.com');
    await mail.sender.deliverDue(); // settled a minute later
    await app.graphql('mutation { requestPasswordReset(email: "later@example.com") }'); // pending
    const { outbox } = app.deps.store;

    expect(await outbox.purgeSettled(settledAt)).toBe(0); // strictly before the cutoff only
    expect(await outbox.purgeSettled(settledAt + 1)).toBe(2);
    expect(await outbox.countByState()).toEqual({ pending: 1, sent: 1, dropped: 0, dead: 0 });
    expect(await outbox.purgeSettled(app.clock.now() + 1)).toBe(1);
    expect(await outbox.countByState()).toEqual({ pending: 1, sent: 0, dropped: 0, dead: 0 });
  });
});
