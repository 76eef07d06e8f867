import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PasskeyCredential } from '../../src/auth/ports/factor-store.js';
import type {
  PasskeyChallengeRecord,
  PasskeyRegistration,
  PasskeyUse,
} from '../../src/auth/ports/passkey-store.js';
import type { SessionStepUp } from '../../src/auth/ports/step-up.js';
import type { Store } from '../../src/auth/ports/store.js';
import { HOUR, newSession, newUser, T0 } from '../helpers/records.js';
import { openTestStore } from '../helpers/store.js';

// The passkey store on the store under test (both dialects): challenges taken once, for their
// purpose, before they expire; a registration's checks and activation in one transaction; the
// signature counter's compare and set.

const MINUTE = 60_000;

let store: Store;

beforeEach(async () => {
  store = await openTestStore();
  await store.users.insert(newUser('u1'));
  await store.users.insert(newUser('u2'));
});
afterEach(() => store.close());

function challenge(
  id: string,
  overrides: Partial<PasskeyChallengeRecord> = {},
): PasskeyChallengeRecord {
  return {
    id,
    purpose: 'login',
    challenge: `challenge-${id}`,
    userId: null,
    sessionId: null,
    name: null,
    createdAt: T0,
    expiresAt: T0 + 5 * MINUTE,
    ...overrides,
  };
}

function stepUp(sessionId: string, userId = 'u1'): SessionStepUp {
  return {
    sessionId,
    userId,
    authMethods: ['pwd', 'hwk'],
    nextRefreshJti: `${sessionId}-stepped`,
    now: T0 + MINUTE,
    idleExpiresAt: T0 + MINUTE + 2 * HOUR,
  };
}

function credential(credentialId: string): PasskeyCredential {
  return {
    credentialId,
    publicKey: `key-${credentialId}`,
    signCount: 0,
    transports: ['internal', 'hybrid'],
    backupEligible: true,
    backedUp: false,
  };
}

function registration(
  factorId: string,
  sessionId: string,
  overrides: Partial<PasskeyRegistration> = {},
): PasskeyRegistration {
  return {
    factor: {
      id: factorId,
      userId: 'u1',
      type: 'PASSKEY',
      name: factorId,
      sealedSecret: null,
      createdAt: T0 + MINUTE,
      expiresAt: null,
    },
    credential: credential(`cred-${factorId}`),
    maxPasskeys: 20,
    stepUp: stepUp(sessionId),
    recoveryCodeHashes: ['hash-a', 'hash-b'],
    otherSessionsDeadline: T0 + 10 * MINUTE,
    notice: {
      id: `mail-${factorId}`,
      kind: 'mfa_enrolled',
      recipient: 'u1@example.com',
      userId: 'u1',
      payload: null,
      linkExpiresAt: null,
      createdAt: T0,
    },
    ...overrides,
  };
}

function use(factorId: string, expectedSignCount: number, signCount: number): PasskeyUse {
  return { factorId, expectedSignCount, signCount, backedUp: true, now: T0 + 2 * MINUTE };
}

describe('passkey challenges', () => {
  it('are taken once, for their purpose, while unexpired', async () => {
    await store.passkeys.insertChallenge(
      challenge('c1', { purpose: 'registration', userId: 'u1', sessionId: 's1', name: 'Key' }),
    );
    expect(await store.passkeys.takeChallenge('c1', 'login', T0)).toBeNull();
    expect(await store.passkeys.takeChallenge('c1', 'registration', T0)).toEqual(
      challenge('c1', { purpose: 'registration', userId: 'u1', sessionId: 's1', name: 'Key' }),
    );
    expect(await store.passkeys.takeChallenge('c1', 'registration', T0)).toBeNull();

    await store.passkeys.insertChallenge(challenge('c2'));
    expect(await store.passkeys.takeChallenge('c2', 'login', T0 + 5 * MINUTE)).toBeNull();
    expect(await store.passkeys.takeChallenge('unknown', 'login', T0)).toBeNull();
  });

  it('go to exactly one of 10 concurrent takers', async () => {
    await store.passkeys.insertChallenge(challenge('c1'));
    const taken = await Promise.all(
      Array.from({ length: 10 }, () => store.passkeys.takeChallenge('c1', 'login', T0)),
    );
    expect(taken.filter((record) => record !== null)).toHaveLength(1);
  });

  it('that expired are purged by retention; the others stay', async () => {
    await store.passkeys.insertChallenge(challenge('old', { expiresAt: T0 }));
    await store.passkeys.insertChallenge(challenge('new', { expiresAt: T0 + 5 * MINUTE }));
    expect(await store.passkeys.purgeExpiredChallenges(T0 + MINUTE)).toBe(1);
    expect(await store.passkeys.takeChallenge('new', 'login', T0)).not.toBeNull();
  });
});

describe('passkey registration', () => {
  it('stores a confirmed PASSKEY factor and activates it as a confirmation does', async () => {
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.sessions.insert(newSession('s2', 'u1'));
    const result = await store.passkeys.register('u1', registration('p1', 's1'));
    expect(result).toMatchObject({
      outcome: 'confirmed',
      factor: {
        id: 'p1',
        type: 'PASSKEY',
        confirmedAt: T0 + MINUTE,
        lastStep: null,
        ...credential('cred-p1'),
      },
      session: { assuranceLevel: 2, authMethods: ['pwd', 'hwk'], currentRefreshJti: 's1-stepped' },
      recoveryCodesStored: true,
      restrictedSessions: 1,
    });
    expect(await store.passkeys.findByCredentialId('cred-p1')).toMatchObject({
      id: 'p1',
      userId: 'u1',
    });
    expect((await store.passkeys.listByUser('u1')).map((factor) => factor.id)).toEqual(['p1']);
    expect((await store.sessions.findById('s2'))?.restrictions).toEqual(['MFA_REQUIRED']);
    expect(await store.factors.standing('u1')).toMatchObject({
      confirmedFactors: 1,
      recoveryCodesRemaining: 2,
    });

    // A second one keeps the codes.
    const second = await store.passkeys.register(
      'u1',
      registration('p2', 's1', {
        recoveryCodeHashes: ['hash-z'],
        stepUp: { ...stepUp('s1'), nextRefreshJti: 's1-again' },
      }),
    );
    expect(second).toMatchObject({ outcome: 'confirmed', recoveryCodesStored: false });
    expect((await store.factors.standing('u1')).recoveryCodesRemaining).toBe(2);
  });

  it('writes nothing for a session that is gone, a credential id taken, or past the limit', async () => {
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.sessions.insert(newSession('t1', 'u2'));
    expect(await store.passkeys.register('u1', registration('p0', 'missing'))).toEqual({
      outcome: 'session_gone',
    });
    // Another user's session is not this user's to step up.
    expect(
      await store.passkeys.register('u1', registration('p0', 't1', { stepUp: stepUp('t1', 'u2') })),
    ).toEqual({ outcome: 'session_gone' });
    await store.passkeys.register('u1', registration('p1', 's1'));
    const again = registration('p2', 's1', { credential: credential('cred-p1') });
    expect(await store.passkeys.register('u1', again)).toEqual({ outcome: 'duplicate' });
    const full = registration('p3', 's1', { maxPasskeys: 1 });
    expect(await store.passkeys.register('u1', full)).toEqual({ outcome: 'too_many' });
    expect((await store.passkeys.listByUser('u1')).map((factor) => factor.id)).toEqual(['p1']);
    expect(await store.factors.findById('p0')).toBeNull();
  });

  it('holds the limit when registrations race', async () => {
    for (let n = 0; n < 6; n += 1) await store.sessions.insert(newSession(`s${n}`, 'u1'));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        store.passkeys.register('u1', registration(`p${n}`, `s${n}`, { maxPasskeys: 3 })),
      ),
    );
    expect(results.filter((result) => result.outcome === 'confirmed')).toHaveLength(3);
    expect(results.filter((result) => result.outcome === 'too_many')).toHaveLength(3);
    expect(await store.passkeys.listByUser('u1')).toHaveLength(3);
  });
});

describe('passkey counters', () => {
  beforeEach(async () => {
    await store.sessions.insert(newSession('s0', 'u1'));
    await store.passkeys.register('u1', registration('p1', 's0'));
  });

  it('move only from the value the verification read', async () => {
    expect(await store.passkeys.recordUse(use('p1', 0, 5))).toBe(true);
    expect(await store.factors.findById('p1')).toMatchObject({
      signCount: 5,
      backedUp: true,
      lastUsedAt: T0 + 2 * MINUTE,
    });
    expect(await store.passkeys.recordUse(use('p1', 0, 6))).toBe(false);
    expect((await store.factors.findById('p1'))?.signCount).toBe(5);
  });

  it('let one of 10 concurrent uses from one value through', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => store.passkeys.recordUse(use('p1', 0, n + 1))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('step a session up only with the user’s own passkey', async () => {
    await store.sessions.insert(newSession('s1', 'u1'));
    await store.sessions.insert(newSession('t1', 'u2'));
    const foreign = await store.passkeys.acceptStepUp('u2', use('p1', 0, 1), stepUp('t1', 'u2'));
    expect(foreign).toEqual({ outcome: 'rejected' });
    const accepted = await store.passkeys.acceptStepUp('u1', use('p1', 0, 1), stepUp('s1'));
    expect(accepted).toMatchObject({
      outcome: 'accepted',
      session: { id: 's1', assuranceLevel: 2, authMethods: ['pwd', 'hwk'] },
    });
    const stale = await store.passkeys.acceptStepUp('u1', use('p1', 0, 2), stepUp('s1'));
    expect(stale).toEqual({ outcome: 'rejected' });
  });
});
