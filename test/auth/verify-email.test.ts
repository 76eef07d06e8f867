import { afterEach, describe, expect, it } from 'vitest';
import { requestEmailVerification } from '../../src/auth/request-email-verification.js';
import { verifyEmail } from '../../src/auth/verify-email.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  signUpUser,
  type TestAuthDeps,
  viewerOf,
} from '../helpers/auth-deps.js';
import { captureMailOf, linkTokenOf } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: requestEmailVerification and verifyEmail, called directly.

let deps: TestAuthDeps;
afterEach(() => deps.close());

describe(`${testStoreKind()}: verification`, () => {
  it('sign-up mails a link; a new request supersedes it; the newest verifies once', async () => {
    deps = await createTestAuthDeps({ env: { REQUIRE_EMAIL_VERIFICATION: 'true' } });
    const mail = captureMailOf(deps);
    const grant = await signUpUser(deps, 'verify@example.com');
    expect(grant.restrictions).toEqual(['EMAIL_NOT_VERIFIED']);
    const viewer = await viewerOf(deps, grant);
    expect(expectSuccess(await requestEmailVerification(deps, viewer, CLIENT))).toBe(true);
    const [first, second] = await mail.deliverTo('verify@example.com');
    // The sign-up's own mail is recorded in the sign-up's write, the request's in its own.
    expect(deps.events.ofType('EMAIL_VERIFICATION_SENT')).toEqual([
      expect.objectContaining({ userId: grant.user.id, sessionId: grant.sessionId }),
      expect.objectContaining({ userId: grant.user.id, sessionId: grant.sessionId }),
    ]);

    expect(expectFailure(await verifyEmail(deps, linkTokenOf(first), CLIENT))).toEqual({
      reason: 'LINK_INVALID',
      field: 'token',
    });
    expect(expectSuccess(await verifyEmail(deps, linkTokenOf(second), CLIENT))).toBe(true);
    expect((await deps.store.users.findById(grant.user.id))?.emailVerified).toBe(true);
    // The session's restriction is lifted in the store: its next reissue is full.
    expect((await deps.store.sessions.findById(grant.sessionId))?.restrictions ?? []).toEqual([]);
    expect(deps.events.ofType('EMAIL_VERIFIED')).toEqual([
      expect.objectContaining({ userId: grant.user.id }),
    ]);
    expect(expectSuccess(await requestEmailVerification(deps, viewer, CLIENT))).toBe(false);
  });

  it('answers LINK_EXPIRED past EMAIL_VERIFICATION_TTL, and LINK_INVALID for garbage', async () => {
    deps = await createTestAuthDeps({ env: { EMAIL_VERIFICATION_TTL: '1h' } });
    const mail = captureMailOf(deps);
    await signUpUser(deps, 'slow@example.com');
    const [sent] = await mail.deliverTo('slow@example.com');
    deps.clock.advanceSeconds(3600);
    expect(expectFailure(await verifyEmail(deps, linkTokenOf(sent), CLIENT))).toEqual({
      reason: 'LINK_EXPIRED',
      field: 'token',
    });
    for (const garbage of ['', 'short', 'x'.repeat(43), 'é'.repeat(43)]) {
      expect(expectFailure(await verifyEmail(deps, garbage, CLIENT))).toEqual({
        reason: 'LINK_INVALID',
        field: 'token',
      });
    }
  });
});
