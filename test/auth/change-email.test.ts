import { afterEach, describe, expect, it } from 'vitest';
import { changeEmail } from '../../src/auth/change-email.js';
import { confirmEmailChange } from '../../src/auth/confirm-email-change.js';
import { verifyEmail } from '../../src/auth/verify-email.js';
import {
  CLIENT,
  createTestAuthDeps,
  expectFailure,
  expectSuccess,
  PASSWORD,
  signUpUser,
  type TestAuthDeps,
  viewerOf,
} from '../helpers/auth-deps.js';
import { captureMailOf, linkTokenOf } from '../helpers/mail.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13: changeEmail, confirmEmailChange and the undo link, called directly.

let deps: TestAuthDeps;
afterEach(() => deps.close());

async function requestChange() {
  deps = await createTestAuthDeps();
  const mail = captureMailOf(deps);
  const grant = await signUpUser(deps, 'old@example.com');
  const [verification] = await mail.deliverTo('old@example.com');
  const viewer = await viewerOf(deps, grant);
  const input = { newEmail: 'new@example.com', currentPassword: PASSWORD };
  expect(expectSuccess(await changeEmail(deps, viewer, input, CLIENT))).toBe(true);
  const [confirmation] = await mail.deliverTo('new@example.com');
  const notice = (await mail.deliverTo('old@example.com')).find(
    (sent) => sent.subject === 'Your email address is being changed',
  );
  return {
    grant,
    verifyOld: linkTokenOf(verification),
    confirm: linkTokenOf(confirmation),
    undo: linkTokenOf(notice),
    notice,
  };
}

describe(`${testStoreKind()}: email change`, () => {
  it('records the request, mails the new address a link and the old one a notice with an undo link', async () => {
    const { grant, notice } = await requestChange();
    expect(notice?.text).toContain('new@example.com');
    expect(deps.events.ofType('EMAIL_CHANGE_REQUESTED')).toEqual([
      expect.objectContaining({ userId: grant.user.id, sessionId: grant.sessionId }),
    ]);
    // Nothing changed yet.
    expect((await deps.store.users.findById(grant.user.id))?.email).toBe('old@example.com');
  });

  it('confirming swaps and verifies the address, and voids the links sent to the old one', async () => {
    const { grant, verifyOld, confirm } = await requestChange();
    expect(expectSuccess(await confirmEmailChange(deps, confirm, CLIENT))).toBe(true);
    expect(await deps.store.users.findById(grant.user.id)).toMatchObject({
      email: 'new@example.com',
      emailVerified: true,
    });
    expect(expectFailure(await verifyEmail(deps, verifyOld, CLIENT))).toEqual({
      reason: 'LINK_INVALID',
      field: 'token',
    });
    expect(deps.events.ofType('EMAIL_CHANGED')).toEqual([
      expect.objectContaining({ detail: 'CONFIRMED', revokedSessions: 0 }),
    ]);
    // The session lives on.
    expect((await deps.store.sessions.findById(grant.sessionId))?.revokedAt).toBeNull();
  });

  it('the undo link restores the old address after a confirmation and ends every session', async () => {
    const { grant, confirm, undo } = await requestChange();
    expectSuccess(await confirmEmailChange(deps, confirm, CLIENT));
    expect(expectSuccess(await confirmEmailChange(deps, undo, CLIENT))).toBe(true);
    expect((await deps.store.users.findById(grant.user.id))?.email).toBe('old@example.com');
    expect(await deps.store.sessions.findById(grant.sessionId)).toMatchObject({
      revokedReason: 'email_change_undone',
    });
    expect(deps.events.ofType('EMAIL_CHANGED').at(-1)).toMatchObject({
      detail: 'UNDONE',
      revokedSessions: 1,
    });
    // Both links are spent.
    for (const token of [confirm, undo]) {
      expect(expectFailure(await confirmEmailChange(deps, token, CLIENT))).toMatchObject({
        reason: 'LINK_INVALID',
      });
    }
  });

  it('a second change does not void the undo link the first one mailed to the old address', async () => {
    // Whoever holds the password changes the address twice; the owner's undo still works.
    const { grant, confirm, undo } = await requestChange();
    expectSuccess(await confirmEmailChange(deps, confirm, CLIENT));
    const mail = captureMailOf(deps);
    const viewer = await viewerOf(deps, grant);
    const again = { newEmail: 'further@example.com', currentPassword: PASSWORD };
    expect(expectSuccess(await changeEmail(deps, viewer, again, CLIENT))).toBe(true);
    const [second] = await mail.deliverTo('further@example.com');
    const secondUndo = (await mail.deliverTo('new@example.com')).find(
      (sent) => sent.subject === 'Your email address is being changed',
    );
    expectSuccess(await confirmEmailChange(deps, linkTokenOf(second), CLIENT));
    expect((await deps.store.users.findById(grant.user.id))?.email).toBe('further@example.com');

    expect(expectSuccess(await confirmEmailChange(deps, undo, CLIENT))).toBe(true);
    expect((await deps.store.users.findById(grant.user.id))?.email).toBe('old@example.com');
    // The undo ended everything else, the later undo link included.
    expect(
      expectFailure(await confirmEmailChange(deps, linkTokenOf(secondUndo), CLIENT)),
    ).toMatchObject({
      reason: 'LINK_INVALID',
    });
  });

  it('refuses a wrong password, a taken address and the current one, issuing nothing', async () => {
    deps = await createTestAuthDeps();
    await signUpUser(deps, 'taken@example.com');
    const viewer = await viewerOf(deps, await signUpUser(deps, 'me@example.com'));
    const attempts = [
      { newEmail: 'free@example.com', currentPassword: 'a wrong password' },
      { newEmail: 'Taken@Example.com', currentPassword: PASSWORD },
      { newEmail: 'me@example.com', currentPassword: PASSWORD },
    ];
    const reasons = [];
    for (const input of attempts) {
      reasons.push(expectFailure(await changeEmail(deps, viewer, input, CLIENT)));
    }
    expect(reasons).toEqual([
      { reason: 'WRONG_PASSWORD', field: 'currentPassword' },
      { reason: 'EMAIL_TAKEN', field: 'newEmail' },
      { reason: 'EMAIL_TAKEN', field: 'newEmail' },
    ]);
    expect(deps.events.ofType('EMAIL_CHANGE_REQUESTED')).toEqual([]);
  });
});
