import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';
import { captureMail, linkTokenOf } from '../helpers/mail.js';
import { postgresTestStoreUrl, testStoreKind } from '../helpers/store.js';

// Issue 13: an address taken by another account between confirmEmailChange's check and its
// UPDATE is answered BAD_USER_INPUT / EMAIL_TAKEN, never as an unexpected error.

const CHANGE = `mutation ($input: ChangeEmailInput!) { changeEmail(input: $input) }`;
const CONFIRM = 'mutation ($t: String!) { confirmEmailChange(token: $t) }';
const TARGET = 'wanted@example.com';

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => app.close());

/** An account asking to move to TARGET, and the token of the confirmation mailed there. */
async function pendingChange(): Promise<{ token: string; userId: string }> {
  const mail = captureMail(app);
  const account = await app.signUp('mover@example.com');
  const asked = await app.graphql(CHANGE, {
    token: account.accessToken,
    variables: { input: { newEmail: TARGET, currentPassword: PASSWORD } },
  });
  expect(asked.data).toEqual({ changeEmail: true });
  const [confirmation] = await mail.deliverTo(TARGET);
  return { token: linkTokenOf(confirmation), userId: account.user.id };
}

describe(`${testStoreKind()}: confirmEmailChange and an address taken meanwhile`, () => {
  it('answers EMAIL_TAKEN when the address was taken before the confirmation', async () => {
    const { token, userId } = await pendingChange();
    await app.signUp(TARGET);
    const answer = await app.graphql(CONFIRM, { variables: { t: token } });
    expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMAIL_TAKEN' });
    expect((await app.deps.store.users.findById(userId))?.email).toBe('mover@example.com');
  });

  it.skipIf(testStoreKind() !== 'postgres')(
    'answers EMAIL_TAKEN when a sign-up commits between the check and the UPDATE',
    async () => {
      const { token, userId } = await pendingChange();
      const racer = new pg.Client({ connectionString: postgresTestStoreUrl(app.deps.store) });
      await racer.connect();
      try {
        // A sign-up in flight: its row is invisible to the check, and holds the address.
        await racer.query('begin');
        await racer.query(
          `insert into users (id, email, password_hash, roles, created_at)
           values ('racer', $1, 'x', '["USER"]', 0)`,
          [TARGET],
        );
        const confirming = app.graphql(CONFIRM, { variables: { t: token } });
        // The UPDATE now waits for the racer's row lock on the unique index entry.
        await waitUntilBlocked(racer);
        await racer.query('commit');
        const answer = await confirming;
        expect(firstError(answer)).toMatchObject({
          code: 'BAD_USER_INPUT',
          reason: 'EMAIL_TAKEN',
        });
      } finally {
        await racer.end();
      }
      expect((await app.deps.store.users.findById(userId))?.email).toBe('mover@example.com');
      expect((await app.deps.store.users.findByEmail(TARGET))?.id).toBe('racer');
    },
  );
});

/** Waits until some other backend waits for a lock (the confirmation's UPDATE). */
async function waitUntilBlocked(client: pg.Client): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await client.query<{ waiting: string }>(
      `select count(*) as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    if (Number(rows[0]?.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the confirmation never waited for the racing sign-up');
}
