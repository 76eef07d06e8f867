import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  FactorConfirmation,
  RecoveryCodeUse,
  TotpAcceptance,
} from '../../src/auth/ports/factor-store.js';
import type { NewOutboxMail } from '../../src/auth/ports/link-records.js';
import type { MfaGate, NewSession } from '../../src/auth/ports/records.js';
import type { SessionStepUp } from '../../src/auth/ports/step-up.js';
import type { Store, WriteEvent } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { allRevocationRecords, openTestStore, testStoreKind } from '../helpers/store.js';

// The factor store on the store under test (both dialects: see vitest.config.ts): the MFA gate
// of new sessions, confirmation, the TOTP step's compare and set, recovery codes, the failure
// count and lock, removal, the operator's reset, and the sealed secrets' re-sealing.

const MINUTE = 60_000;
const DEADLINE = T0 + 10 * MINUTE;
const GATE: MfaGate = { challengeDeadline: DEADLINE, enrollmentRoles: ['ADMIN'] };
const CODES = ['code-a', 'code-b', 'code-c'];

let store: Store;

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1'));
  await store.users.insert(newUser('admin', { roles: ['USER', 'ADMIN'] }));
});
afterEach(() => store.close());

function stepUp(sessionId: string, overrides: Partial<SessionStepUp> = {}): SessionStepUp {
  return {
    sessionId,
    userId: 'u1',
    authMethods: ['pwd', 'otp'],
    nextRefreshJti: `${sessionId}-stepped`,
    now: T0 + MINUTE,
    idleExpiresAt: T0 + MINUTE + 2 * HOUR,
    ...overrides,
  };
}

function notice(id: string, kind: NewOutboxMail['kind']): NewOutboxMail {
  const mail = { id, kind, recipient: 'u1@example.com', userId: 'u1', payload: { name: 'u1' } };
  return { ...mail, linkExpiresAt: null, createdAt: T0 };
}

function event(type: WriteEvent['type'], sessionId: string | null = null): WriteEvent {
  const who = { userId: 'u1', sessionId, actorId: null, ip: null, userAgent: null };
  return { type, at: T0 + MINUTE, ...who, detail: null };
}

async function insertPending(id: string, expiresAt: number | null = T0 + 15 * MINUTE) {
  const sealed = `sealed-${id}`;
  const factor = { id, userId: 'u1', type: 'TOTP' as const, name: id, sealedSecret: sealed };
  return store.factors.insertPending({ ...factor, createdAt: T0, expiresAt });
}

function confirmation(factorId: string, sessionId: string, step = 100): FactorConfirmation {
  return {
    factorId,
    step,
    stepUp: stepUp(sessionId),
    recoveryCodeHashes: CODES,
    otherSessionsDeadline: DEADLINE,
    notice: notice(`enrolled-${factorId}`, 'mfa_enrolled'),
  };
}

/** u1 with a confirmed TOTP factor `f1` (last step 100), confirmed in session `s0`. */
async function enrolled(): Promise<void> {
  await store.sessions.insert(newSession('s0', 'u1'));
  await insertPending('f1');
  const confirmed = await store.factors.confirm('u1', confirmation('f1', 's0'));
  expect(confirmed.outcome).toBe('confirmed');
}

function totp(sessionId: string, step: number, overrides: Partial<SessionStepUp> = {}) {
  const acceptance: TotpAcceptance = {
    factorId: 'f1',
    step,
    stepUp: stepUp(sessionId, overrides),
  };
  return store.factors.acceptTotp('u1', acceptance);
}

function recoveryUse(sessionId: string, codeHash: string, nextRefreshJti?: string) {
  const use: RecoveryCodeUse = {
    userId: 'u1',
    codeHash,
    stepUp: stepUp(sessionId, nextRefreshJti === undefined ? {} : { nextRefreshJti }),
    notice: notice(`used-${nextRefreshJti ?? sessionId}`, 'recovery_code_used'),
  };
  return use;
}

function gated(id: string, userId: string, overrides: Partial<NewSession> = {}): NewSession {
  return newSession(id, userId, { mfaGate: GATE, ...overrides });
}

describe(`${testStoreKind()}: the MFA gate of a new session`, () => {
  it('stores a session of an account without a factor, outside the enrolment roles, as given', async () => {
    const started = await store.sessions.start(gated('s1', 'u1'));
    expect(started).toMatchObject({ restrictions: [], stepUpDeadline: null, assuranceLevel: 1 });
    expect(started).not.toHaveProperty('mfaGate');
  });

  it('requires a step-up of an account with a factor: MFA_REQUIRED once, the deadline, the idle expiry capped', async () => {
    await enrolled();
    const restrictions = ['EMAIL_NOT_VERIFIED', 'MFA_REQUIRED'] as const;
    const started = await store.sessions.start(
      gated('s1', 'u1', { restrictions: [...restrictions] }),
    );
    expect(started).toMatchObject({
      restrictions: ['EMAIL_NOT_VERIFIED', 'MFA_REQUIRED'],
      stepUpDeadline: DEADLINE,
      idleExpiresAt: DEADLINE,
      expiresAt: T0 + 3 * HOUR,
    });
    expect(await store.sessions.findById('s1')).toEqual(started);
  });

  it('leaves a session that is at assurance 2 already as it is', async () => {
    await enrolled();
    const started = await store.sessions.start(
      gated('s1', 'u1', { assuranceLevel: 2, authMethods: ['hwk'] }),
    );
    expect(started).toMatchObject({
      restrictions: [],
      stepUpDeadline: null,
      idleExpiresAt: T0 + 2 * HOUR,
      authMethods: ['hwk'],
    });
  });

  it('requires enrolment of a holder of an enrolment role without a factor, at start and at sign-up', async () => {
    const started = await store.sessions.start(gated('s1', 'admin'));
    expect(started).toMatchObject({
      restrictions: ['MFA_ENROLLMENT_REQUIRED'],
      stepUpDeadline: null,
      idleExpiresAt: T0 + 2 * HOUR,
    });
    const boss = newUser('boss', { roles: ['ADMIN'] });
    const signedUp = await store.users.insertWithSession(boss, gated('s2', 'boss'), []);
    expect(signedUp?.session.restrictions).toEqual(['MFA_ENROLLMENT_REQUIRED']);
  });

  it('gates the session a password reset link opens', async () => {
    await enrolled();
    const link = {
      tokenHash: 'reset-hash',
      purpose: 'reset_password' as const,
      userId: 'u1',
      email: 'u1@example.com',
      createdAt: T0,
      expiresAt: T0 + HOUR,
    };
    expect(await store.accounts.issueLinks({ userId: 'u1', tokens: [link], mails: [] })).toBe(true);
    const used = await store.accounts.useLink({
      tokenHash: 'reset-hash',
      purpose: 'reset_password',
      now: T0 + MINUTE,
      effect: {
        kind: 'reset_password',
        passwordHash: 'h2',
        session: gated('s1', 'u1'),
        notice: notice('password-changed', 'password_changed'),
      },
    });
    expect(used.outcome).toBe('used');
    if (used.outcome !== 'used') return;
    expect(used.session).toMatchObject({
      restrictions: ['MFA_REQUIRED'],
      stepUpDeadline: DEADLINE,
    });
  });

  it('never misses a factor confirmed while the session starts: gated, or restricted by the confirmation', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `r${i}`);
    for (const id of users) {
      await store.users.insert(newUser(id));
      await store.sessions.insert(newSession(`${id}-enrolling`, id));
      const factor = { id: `${id}-f`, userId: id, type: 'TOTP' as const, name: null };
      await store.factors.insertPending({
        ...factor,
        sealedSecret: 's',
        createdAt: T0,
        expiresAt: null,
      });
    }
    const racing = users.flatMap((id) => [
      store.sessions.start(gated(`${id}-new`, id)),
      store.factors.confirm(id, {
        ...confirmation(`${id}-f`, `${id}-enrolling`),
        stepUp: stepUp(`${id}-enrolling`, { userId: id }),
        notice: { ...notice(`${id}-mail`, 'mfa_enrolled'), userId: id },
      }),
    ]);
    await Promise.all(racing);
    for (const id of users) {
      expect(await store.sessions.findById(`${id}-new`)).toMatchObject({
        restrictions: ['MFA_REQUIRED'],
        stepUpDeadline: DEADLINE,
      });
    }
  });

  it('never lets a rotation move the idle expiry past the step-up deadline', async () => {
    await enrolled();
    await store.sessions.start(gated('s1', 'u1'));
    const rotated = await store.sessions.rotateRefreshToken({
      sessionId: 's1',
      userId: 'u1',
      presentedJti: 's1-jti',
      nextJti: 's1-next',
      now: T0 + MINUTE,
      idleTimeout: 2 * HOUR,
    });
    expect(rotated).toMatchObject({ idleExpiresAt: DEADLINE, stepUpDeadline: DEADLINE });
  });
});

describe(`${testStoreKind()}: factors.confirm`, () => {
  it('confirms the first factor: stores the codes, steps the session up, restricts the other low-assurance sessions', async () => {
    await store.sessions.insert(newSession('s0', 'u1', { restrictions: ['EMAIL_NOT_VERIFIED'] }));
    await store.sessions.insert(
      newSession('s1', 'u1', { restrictions: ['MFA_ENROLLMENT_REQUIRED'] }),
    );
    await store.sessions.insert(newSession('s2', 'u1', { assuranceLevel: 2 }));
    await store.sessions.insert(newSession('s3', 'u1', { idleExpiresAt: T0 + 5 * MINUTE }));
    await insertPending('f1');
    const result = await store.factors.confirm(
      'u1',
      confirmation('f1', 's0'),
      event('MFA_ENROLLED'),
    );
    expect(result).toMatchObject({
      outcome: 'confirmed',
      factor: { id: 'f1', confirmedAt: T0 + MINUTE, expiresAt: null, lastStep: 100 },
      session: {
        id: 's0',
        assuranceLevel: 2,
        authMethods: ['pwd', 'otp'],
        authTime: T0 + MINUTE,
        restrictions: ['EMAIL_NOT_VERIFIED'],
        previousRefreshJti: null,
        currentRefreshJti: 's0-stepped',
        generation: 1,
        idleExpiresAt: T0 + MINUTE + 2 * HOUR,
      },
      recoveryCodesStored: true,
      restrictedSessions: 2,
    });
    expect(await store.sessions.findById('s1')).toMatchObject({
      restrictions: ['MFA_REQUIRED'],
      stepUpDeadline: DEADLINE,
      idleExpiresAt: DEADLINE,
    });
    expect(await store.sessions.findById('s3')).toMatchObject({
      restrictions: ['MFA_REQUIRED'],
      idleExpiresAt: T0 + 5 * MINUTE,
    });
    expect(await store.sessions.findById('s2')).toMatchObject({
      restrictions: [],
      stepUpDeadline: null,
    });
    expect(await store.factors.standing('u1')).toEqual({
      confirmedFactors: 1,
      recoveryCodesRemaining: 3,
      totpFailures: 0,
      totpLockedAt: null,
    });
    expect(
      await store.auditEvents.list({ userId: 'u1', types: ['MFA_ENROLLED'] }, 10),
    ).toHaveLength(1);
    const mails = await store.outbox.list(['pending'], 10);
    expect(mails.map((mail) => mail.kind)).toEqual(['mfa_enrolled']);
  });

  it('keeps the codes and the deadlines of restricted sessions when a second factor is confirmed', async () => {
    await enrolled();
    await store.sessions.start(gated('s1', 'u1'));
    await insertPending('f2');
    const second = {
      ...confirmation('f2', 's0'),
      recoveryCodeHashes: ['other-1', 'other-2'],
      otherSessionsDeadline: DEADLINE + HOUR,
    };
    const result = await store.factors.confirm('u1', second);
    expect(result).toMatchObject({
      outcome: 'confirmed',
      recoveryCodesStored: false,
      restrictedSessions: 0,
    });
    // Restricted already: its deadline is not extended by a later factor.
    expect(await store.sessions.findById('s1')).toMatchObject({ stepUpDeadline: DEADLINE });
    expect((await store.factors.standing('u1')).recoveryCodesRemaining).toBe(3);
    expect((await store.factors.listConfirmed('u1')).map((factor) => factor.id)).toEqual([
      'f1',
      'f2',
    ]);
  });

  it("refuses an expired, an unknown or another user's factor, or a session that is gone, writing nothing", async () => {
    await store.sessions.insert(newSession('s0', 'u1'));
    await store.sessions.insert(newSession('s1', 'u1'));
    await insertPending('f1', T0 + MINUTE);
    const late = await store.factors.confirm('u1', confirmation('f1', 's0'), event('MFA_ENROLLED'));
    expect(late).toEqual({ outcome: 'expired' });
    expect(await store.factors.confirm('admin', confirmation('f1', 's0'))).toEqual({
      outcome: 'not_found',
    });
    await insertPending('f2');
    await store.sessions.revoke('s0', 'logout', T0);
    expect(await store.factors.confirm('u1', confirmation('f2', 's0'))).toEqual({
      outcome: 'session_gone',
    });
    expect(await store.factors.findById('f2')).toMatchObject({ confirmedAt: null, lastStep: null });
    expect(await store.factors.standing('u1')).toMatchObject({
      confirmedFactors: 0,
      recoveryCodesRemaining: 0,
    });
    expect(await store.sessions.findById('s1')).toMatchObject({ restrictions: [] });
    expect(await store.auditEvents.list({ userId: 'u1' }, 10)).toEqual([]);
    expect(await store.outbox.list(['pending'], 10)).toEqual([]);
  });

  it('stores one pending factor per user: a new one replaces the last', async () => {
    await insertPending('f1');
    await insertPending('f2');
    expect(await store.factors.findById('f1')).toBeNull();
    expect(await store.factors.findById('f2')).toMatchObject({ confirmedAt: null, type: 'TOTP' });
  });
});

describe(`${testStoreKind()}: factors.acceptTotp`, () => {
  it('accepts a step once, and never one at or before the last accepted', async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    expect(await totp('s1', 100)).toEqual({ outcome: 'rejected' });
    expect((await totp('s1', 101)).outcome).toBe('accepted');
    expect(await totp('s1', 101)).toEqual({ outcome: 'rejected' });
    expect(await totp('s1', 99)).toEqual({ outcome: 'rejected' });
    expect(await store.factors.findById('f1')).toMatchObject({
      lastStep: 101,
      lastUsedAt: T0 + MINUTE,
    });
  });

  it('lets one of 10 concurrent acceptances of one step through', async () => {
    await enrolled();
    const sessions = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const id of sessions) await store.sessions.insert(newSession(id, 'u1'));
    const results = await Promise.all(sessions.map((id) => totp(id, 200)));
    expect(results.filter((result) => result.outcome === 'accepted')).toHaveLength(1);
    expect(results.filter((result) => result.outcome === 'rejected')).toHaveLength(9);
  });

  it('steps the session up with no grace for the refresh token before', async () => {
    await enrolled();
    await store.sessions.start(gated('s1', 'u1', { restrictions: ['EMAIL_NOT_VERIFIED'] }));
    // Asked for an idle expiry past the absolute one: capped at it.
    const result = await totp('s1', 101, { idleExpiresAt: T0 + 5 * HOUR });
    expect(result).toMatchObject({
      outcome: 'accepted',
      recoveryCodesRemaining: 0,
      session: {
        assuranceLevel: 2,
        restrictions: ['EMAIL_NOT_VERIFIED'],
        stepUpDeadline: null,
        currentRefreshJti: 's1-stepped',
        previousRefreshJti: null,
        idleExpiresAt: T0 + 3 * HOUR,
      },
    });
    const reuse = await store.sessions.rotateRefreshToken({
      sessionId: 's1',
      userId: 'u1',
      presentedJti: 's1-jti',
      nextJti: 'x',
      now: T0 + 2 * MINUTE,
      idleTimeout: HOUR,
    });
    expect(reuse).toBeNull();
  });

  it("writes nothing for a session that is gone or not the user's", async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.sessions.insert(newSession('theirs', 'admin'));
    await store.sessions.revoke('s1', 'logout', T0);
    expect(await totp('s1', 101)).toEqual({ outcome: 'session_gone' });
    expect(await totp('theirs', 101)).toEqual({ outcome: 'session_gone' });
    expect(await store.factors.findById('f1')).toMatchObject({ lastStep: 100 });
  });
});

describe(`${testStoreKind()}: recovery codes and the failure count`, () => {
  it('lets exactly one of 10 concurrent uses of one code through, and says how many are left', async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.factors.useRecoveryCode(
          recoveryUse('s1', 'code-b', `next-${i}`),
          event('RECOVERY_CODE_USED'),
        ),
      ),
    );
    const accepted = results.filter((result) => result.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      recoveryCodesRemaining: 2,
      session: { assuranceLevel: 2 },
    });
    expect(results.filter((result) => result.outcome === 'rejected')).toHaveLength(9);
    expect(
      await store.auditEvents.list({ userId: 'u1', types: ['RECOVERY_CODE_USED'] }, 20),
    ).toHaveLength(1);
    const due = await store.outbox.claimDue({
      owner: 't',
      now: T0 + HOUR,
      leaseMs: MINUTE,
      limit: 10,
    });
    const used = due.filter((mail) => mail.kind === 'recovery_code_used');
    expect(used.map((mail) => mail.payload)).toEqual([{ name: 'u1', remaining: '2' }]);
  });

  it('counts failures, locks at the cap once, and a recovery code clears both', async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    const failure = (now: number) =>
      store.factors.recordTotpFailure({ userId: 'u1', now, lockAfter: 3 });
    expect(await failure(T0 + 1)).toEqual({ totpFailures: 1, lockedNow: false });
    expect(await failure(T0 + 2)).toEqual({ totpFailures: 2, lockedNow: false });
    expect(await failure(T0 + 3)).toEqual({ totpFailures: 3, lockedNow: true });
    expect(await failure(T0 + 3)).toEqual({ totpFailures: 4, lockedNow: false });
    expect(await failure(T0 + 4)).toEqual({ totpFailures: 5, lockedNow: false });
    expect(await store.factors.standing('u1')).toMatchObject({
      totpFailures: 5,
      totpLockedAt: T0 + 3,
    });
    expect((await store.factors.useRecoveryCode(recoveryUse('s1', 'code-a'))).outcome).toBe(
      'accepted',
    );
    expect(await store.factors.standing('u1')).toMatchObject({
      totpFailures: 0,
      totpLockedAt: null,
      recoveryCodesRemaining: 2,
    });
    expect(await store.factors.useRecoveryCode(recoveryUse('s1', 'code-a'))).toEqual({
      outcome: 'rejected',
    });
  });

  it('clears the failure count on an accepted TOTP code', async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.factors.recordTotpFailure({ userId: 'u1', now: T0, lockAfter: 100 });
    expect((await totp('s1', 101)).outcome).toBe('accepted');
    expect((await store.factors.standing('u1')).totpFailures).toBe(0);
  });

  it('replaces the codes only while the user has a confirmed factor', async () => {
    expect(
      await store.factors.replaceRecoveryCodes('u1', ['n1'], event('RECOVERY_CODES_REGENERATED')),
    ).toBe(false);
    expect(await store.auditEvents.list({ userId: 'u1' }, 10)).toEqual([]);
    await enrolled();
    expect(await store.factors.replaceRecoveryCodes('u1', ['n1', 'n2'])).toBe(true);
    expect((await store.factors.standing('u1')).recoveryCodesRemaining).toBe(2);
    await store.sessions.insert(newSession('s1', 'u1'));
    expect(await store.factors.useRecoveryCode(recoveryUse('s1', 'code-a'))).toEqual({
      outcome: 'rejected',
    });
    expect((await store.factors.useRecoveryCode(recoveryUse('s1', 'n2'))).outcome).toBe('accepted');
  });
});

describe(`${testStoreKind()}: removal, reset, retention and re-sealing`, () => {
  it('removing the last confirmed factor takes the codes, the count and the lock with it', async () => {
    await enrolled();
    await insertPending('f2');
    await store.factors.recordTotpFailure({ userId: 'u1', now: T0, lockAfter: 1 });
    expect(await store.factors.remove({ userId: 'admin', factorId: 'f1', now: T0 })).toBe(false);
    expect(await store.factors.remove({ userId: 'u1', factorId: 'f2', now: T0 })).toBe(true);
    expect((await store.factors.standing('u1')).recoveryCodesRemaining).toBe(3);
    expect(await store.factors.remove({ userId: 'u1', factorId: 'f1', now: T0 })).toBe(true);
    expect(await store.factors.standing('u1')).toEqual({
      confirmedFactors: 0,
      recoveryCodesRemaining: 0,
      totpFailures: 0,
      totpLockedAt: null,
    });
    expect(await store.factors.remove({ userId: 'u1', factorId: 'f1', now: T0 })).toBe(false);
  });

  it('resets a user: factors and codes gone, live sessions revoked with their records', async () => {
    await enrolled();
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.sessions.insert(newSession('other', 'admin'));
    expect(await store.factors.resetUser('u1', T0 + MINUTE, event('MFA_REMOVED'))).toBe(2);
    expect(await store.factors.listConfirmed('u1')).toEqual([]);
    expect((await store.factors.standing('u1')).recoveryCodesRemaining).toBe(0);
    expect(await store.sessions.listLiveForUser('u1', T0 + MINUTE)).toEqual([]);
    expect(await store.sessions.findById('s1')).toMatchObject({ revokedReason: 'mfa_reset' });
    const records = await allRevocationRecords(store);
    expect(records.map((record) => [record.sessionId, record.reason]).sort()).toEqual([
      ['s0', 'mfa_reset'],
      ['s1', 'mfa_reset'],
    ]);
    expect(await store.sessions.listLiveForUser('admin', T0 + MINUTE)).toHaveLength(1);
    const [recorded] = await store.auditEvents.list({ userId: 'u1', types: ['MFA_REMOVED'] }, 10);
    expect(recorded?.revokedSessions).toBe(2);
    expect(await store.factors.resetUser('nobody', T0)).toBeNull();
  });

  it('purges pending factors that expired before the cutoff, never confirmed ones', async () => {
    await enrolled();
    await insertPending('f2', T0 + MINUTE);
    expect(await store.factors.purgeExpiredPending(T0 + MINUTE)).toBe(0);
    expect(await store.factors.purgeExpiredPending(T0 + 2 * MINUTE)).toBe(1);
    expect(await store.factors.findById('f2')).toBeNull();
    expect(await store.factors.findById('f1')).not.toBeNull();
  });

  it('re-seals a secret only while it is still the expected one', async () => {
    await enrolled();
    expect(await store.factors.listSealedSecrets()).toEqual([
      { factorId: 'f1', sealedSecret: 'sealed-f1' },
    ]);
    expect(await store.factors.replaceSealedSecret('f1', 'sealed-f1', 'resealed')).toBe(true);
    expect(await store.factors.replaceSealedSecret('f1', 'sealed-f1', 'stale')).toBe(false);
    expect(await store.factors.findById('f1')).toMatchObject({ sealedSecret: 'resealed' });
  });
});
