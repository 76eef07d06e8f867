import { afterEach, describe, expect, it } from 'vitest';
import { requestPasswordReset } from '../../src/auth/request-password-reset.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  signUpUser,
  type TestAuthDeps,
  type TestAuthDepsOptions,
} from '../helpers/auth-deps.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: requestPasswordReset does the same work, and answers the same, for every address.

let deps: TestAuthDeps;
async function setUp(options: TestAuthDepsOptions = {}): Promise<TestAuthDeps> {
  deps = await createTestAuthDeps(options);
  return deps;
}
afterEach(() => deps.close());

describe(`${testStoreKind()}: requestPasswordReset`, () => {
  it('queues one row without a lookup for a known and an unknown address alike', async () => {
    await setUp();
    await signUpUser(deps, 'known@example.com');
    deps.passwords.resetWork();
    const before = deps.events.recorded.length;
    for (const email of [' Known@Example.com ', 'unknown@example.com']) {
      expect(expectSuccess(await requestPasswordReset(deps, email, CLIENT))).toBe(true);
    }
    const rows = (await deps.store.outbox.list(['pending'], 10))
      .filter((mail) => mail.kind === 'reset_password')
      .sort((a, b) => a.recipient.localeCompare(b.recipient));
    // Same shape for both: no user, no body, no link yet (the sender issues it).
    expect(
      rows.map(({ recipient, userId, payload, linkExpiresAt }) => ({
        recipient,
        userId,
        payload,
        linkExpiresAt,
      })),
    ).toEqual([
      { recipient: 'known@example.com', userId: null, payload: null, linkExpiresAt: null },
      { recipient: 'unknown@example.com', userId: null, payload: null, linkExpiresAt: null },
    ]);
    const events = deps.events.recorded.slice(before).map(({ event }) => event);
    expect(events.map((event) => [event.type, event.userId ?? null])).toEqual([
      ['PASSWORD_RESET_REQUESTED', null],
      ['PASSWORD_RESET_REQUESTED', null],
    ]);
    expect(deps.passwords.work.argon2Hashes + deps.passwords.work.argon2Verifications).toBe(0);
  });

  it('refuses a malformed address with INVALID_EMAIL, queuing nothing', async () => {
    await setUp();
    expect(expectFailure(await requestPasswordReset(deps, 'not an address', CLIENT))).toEqual({
      reason: 'INVALID_EMAIL',
      field: 'email',
    });
    expect(await deps.store.outbox.list(['pending'], 10)).toEqual([]);
  });

  it('counts the per-address limit alike for unknown and known addresses', async () => {
    const rule = { limit: 2, windowSeconds: 900 };
    await setUp({ rateLimits: { passwordResetPerAccount: rule } });
    await signUpUser(deps, 'known@example.com');
    const refusals: unknown[] = [];
    for (const email of ['known@example.com', 'unknown@example.com']) {
      for (let i = 0; i < 2; i++) expectSuccess(await requestPasswordReset(deps, email, CLIENT));
      refusals.push(expectFailure(await requestPasswordReset(deps, email, CLIENT)));
    }
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toEqual(refusals[1]);
    expect(refusals[0]).toMatchObject({ reason: 'RATE_LIMITED' });
  });
});
