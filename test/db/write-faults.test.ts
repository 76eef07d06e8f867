import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDeps } from '../../src/auth/deps.js';
import { CommitOutcomeUnknownError } from '../../src/auth/ports/commit-outcome.js';
import { OUTBOX_STATES, type OutboxMail } from '../../src/auth/ports/link-records.js';
import type {
  AuditEventRecord,
  AuthEventType,
  SessionRecord,
  UserRecord,
} from '../../src/auth/ports/records.js';
import type { WriteEvent } from '../../src/auth/ports/store.js';
import {
  createTestAuthDeps,
  openSessions,
  PASSWORD,
  type TestAuthDeps,
} from '../helpers/auth-deps.js';
import { FAULTED_OPERATIONS, type FaultedOperation } from '../helpers/faulted-operations.js';
import { type FaultyStore, openFaultyTestStore } from '../helpers/faulty-store.js';
import { PLAIN_PASSWORD_HASHER } from '../helpers/plain-password-hasher.js';
import {
  type FaultEffect,
  isInjectedFault,
  type StatementFault,
} from '../helpers/statement-faults.js';
import { allRevocationRecords, type RevocationRow, testStoreKind } from '../helpers/store.js';

// Issue 18, section 2: every write either commits whole, with its audit event, or answers an
// error having committed nothing. Each operation runs once cleanly to count its statements;
// then once for each of those statements failing, each way (see statement-faults.ts). In
// strict mode (REFRESH_REUSE_INTERVAL=0), where a retried rotation that did commit would be
// reuse and end the session.

const EFFECTS: readonly FaultEffect[] = ['fail', 'lose-answer'];

let testDeps: TestAuthDeps;
/** Argon2 is beside the point here, and would spend most of the time: plain hashes instead. */
let deps: AuthDeps;
let store: FaultyStore;
let passwordHash: string;

beforeAll(async () => {
  testDeps = await createTestAuthDeps({
    env: { REFRESH_REUSE_INTERVAL: '0' },
    openStore: async () => {
      store = await openFaultyTestStore();
      return store;
    },
  });
  deps = { ...testDeps, passwords: PLAIN_PASSWORD_HASHER };
  passwordHash = await deps.passwords.hash(PASSWORD);
});

afterAll(() => testDeps.close());

interface Snapshot {
  readonly users: UserRecord[];
  readonly liveSessions: SessionRecord[][];
  readonly audit: AuditEventRecord[];
  readonly revocations: RevocationRow[];
  /** The outbox (issue 13): a mail commits with what it reports, or not at all. */
  readonly outbox: OutboxMail[];
}

/**
 * Everything the operations write: users, live sessions (with their jtis), the audit log, the
 * revocation records the session endings write in their own transactions, and the outbox. (Link
 * tokens have no listing; a token written without its mail would show in the single-use tests,
 * and a mail without its token is caught here.)
 */
async function snapshot(): Promise<Snapshot> {
  const now = deps.clock.now();
  const users = await deps.store.users.list();
  const liveSessions = await Promise.all(
    users.map((user) => deps.store.sessions.listLiveForUser(user.id, now)),
  );
  return {
    users,
    liveSessions,
    audit: await deps.store.auditEvents.list({}, 10_000),
    revocations: await allRevocationRecords(deps.store),
    outbox: await deps.store.outbox.list(OUTBOX_STATES, 10_000),
  };
}

/** The types of the audit events appended between two snapshots, oldest first. */
function appended(before: Snapshot, after: Snapshot): AuthEventType[] {
  const last = before.audit[0]?.id ?? 0;
  return after.audit
    .filter((event) => event.id > last)
    .map((event) => event.type)
    .reverse();
}

/** The call's answer: whether it succeeded, or 'error' when it threw because of a fault. */
async function answer(call: () => Promise<boolean>): Promise<boolean | 'error'> {
  try {
    return await call();
  } catch (error) {
    if (!isInjectedFault(error)) throw error;
    return 'error';
  }
}

const tally = { faults: 0, errorAnswers: 0, settledCommits: 0, retries: 0, longestMs: 0 };

/** One call of `operation` with `fault` armed, and what it must leave behind. */
async function expectAllOrNothing(
  operation: FaultedOperation,
  fault: StatementFault,
): Promise<void> {
  const call = await operation.prepare(deps, passwordHash);
  const before = await snapshot();
  const fired = store.faults.fired.faults;
  store.faults.resetLog();
  store.faults.inject(fault);
  const started = performance.now();
  const first = await answer(call);
  tally.longestMs = Math.max(tally.longestMs, Math.round(performance.now() - started));
  store.faults.clear();
  expect(store.faults.fired.faults).toBe(fired + 1);
  tally.faults++;
  const hit = store.faults.log[fault.skip ?? 0] ?? '';
  const lostCommit = fault.effect === 'lose-answer' && /^commit$/i.test(hit);
  const after = await snapshot();
  const where = `${operation.name}, ${fault.effect} at ${hit.slice(0, 60)}`;

  if (lostCommit && operation.guarantee === 'settled') {
    // It committed, and read back that it did: the answer is the success it was.
    expect(first, where).toBe(true);
    expect(appended(before, after), where).toEqual(operation.events);
    tally.settledCommits++;
    return;
  }
  expect(first, where).toBe('error');
  tally.errorAnswers++;
  if (lostCommit) {
    // Idempotent: the write committed whole with its event, and the retry finds it done.
    expect(appended(before, after), where).toEqual(operation.events);
  } else {
    expect(after, where).toEqual(before);
  }
  expect(await answer(call), `${where}: the retry`).toBe(true);
  tally.retries++;
}

describe(`${testStoreKind()}: a write is all or nothing, whichever statement fails`, () => {
  it.each(FAULTED_OPERATIONS.map((operation) => [operation.name, operation] as const))(
    '%s',
    { timeout: 120_000 },
    async (_, operation) => {
      const call = await operation.prepare(deps, passwordHash);
      const before = await snapshot();
      store.faults.resetLog();
      expect(await call()).toBe(true);
      const statements = store.faults.log.length;
      expect(appended(before, await snapshot())).toEqual(operation.events);
      expect(statements).toBeGreaterThan(0);
      for (let skip = 0; skip < statements; skip++) {
        for (const effect of EFFECTS) await expectAllOrNothing(operation, { skip, effect });
      }
    },
  );

  it('injected a fault at every statement (the sweep above did run)', () => {
    // Each operation writes in a transaction (BEGIN, its statements, COMMIT): 3 at the least.
    expect(tally.faults).toBeGreaterThanOrEqual(FAULTED_OPERATIONS.length * 3 * EFFECTS.length);
    expect(tally.settledCommits).toBe(
      FAULTED_OPERATIONS.filter((operation) => operation.guarantee === 'settled').length,
    );
    console.info(`[write-faults] ${testStoreKind()}: ${JSON.stringify(tally)}`);
  });
});

describe(`${testStoreKind()}: the store tells a failed COMMIT from other failures`, () => {
  it.each([
    [/^commit$/i, 'fail', true],
    [/^commit$/i, 'lose-answer', true],
    [/insert into "audit_events"/, 'fail', false],
    [/insert into "audit_events"/, 'lose-answer', false],
    [/^begin/i, 'fail', false],
  ] as const)('%s, %s: CommitOutcomeUnknownError is %s', async (statement, effect, unknown) => {
    const { user } = await openSessions(deps, randomUUID(), 2);
    const event: WriteEvent = {
      type: 'SESSION_REVOKED',
      at: deps.clock.now(),
      userId: user.id,
      sessionId: null,
      actorId: null,
      ip: null,
      userAgent: null,
      detail: 'OPERATOR',
    };
    store.faults.inject({ statement, effect });
    const error = await deps.store.sessions
      .revokeAllForUser(user.id, 'revoked_by_admin', deps.clock.now(), undefined, event)
      .catch((caught: unknown) => caught);
    store.faults.clear();
    expect(isInjectedFault(error)).toBe(true);
    expect(error instanceof CommitOutcomeUnknownError).toBe(unknown);
  });
});
