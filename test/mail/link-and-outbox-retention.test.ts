import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPIRED_LINK_KEPT_MS,
  scheduleLinkAndOutboxRetention,
} from '../../src/jobs/link-and-outbox-retention.js';
import { silentLogger } from '../../src/logger.js';
import { createTestApp, firstError, type TestApp } from '../helpers/app.js';
import { captureMail, linkTokenOf } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Settled outbox rows are purged after the retention period; pending mails never are. Link
// tokens go a week after they expire; until then they answer LINK_EXPIRED.

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

describe(`${testStoreKind()}: link token retention`, () => {
  const VERIFY = 'mutation ($t: String!) { verifyEmail(token: $t) }';

  it('keeps an expired link (LINK_EXPIRED) for a week, then the job deletes it; live links stay', async () => {
    const mail = captureMail(app);
    await app.signUp('old@example.com');
    const old = linkTokenOf((await mail.deliverTo('old@example.com')).at(-1));
    const ttlMs = app.config.links.lifetimes.verify_email * 1000;
    app.clock.advanceSeconds((ttlMs + EXPIRED_LINK_KEPT_MS) / 1000);
    expect(firstError(await app.graphql(VERIFY, { variables: { t: old } }))).toMatchObject({
      reason: 'LINK_EXPIRED',
    });
    await app.signUp('new@example.com');
    const fresh = linkTokenOf((await mail.deliverTo('new@example.com')).at(-1));

    // Expired exactly a week ago: not yet; a millisecond later it goes.
    const { accounts } = app.deps.store;
    expect(await accounts.purgeExpiredLinks(app.clock.now() - EXPIRED_LINK_KEPT_MS)).toBe(0);
    app.clock.advanceSeconds(1);
    const stop = scheduleLinkAndOutboxRetention(
      app.deps.store,
      app.clock,
      app.config.auditRetention,
      silentLogger,
    );
    try {
      await expect
        .poll(async () => firstError(await app.graphql(VERIFY, { variables: { t: old } }))?.reason)
        .toBe('LINK_INVALID');
    } finally {
      stop();
    }
    expect((await app.graphql(VERIFY, { variables: { t: fresh } })).data).toEqual({
      verifyEmail: true,
    });
  });
});
