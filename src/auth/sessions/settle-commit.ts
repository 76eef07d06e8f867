import { setTimeout as sleep } from 'node:timers/promises';
import { CommitOutcomeUnknownError } from '../ports/commit-outcome.js';
import type { SessionRecord } from '../ports/records.js';
import type { SessionStore } from '../ports/store.js';

/**
 * How long a write whose COMMIT failed waits for the store to say what was committed. On a
 * silent network the store reports that COMMIT after its own timeout plus a grace of 250 ms
 * (the PostgreSQL pool's, in db/postgres/bounded-pool.ts), and the answer must leave within
 * that timeout and a second: 600 ms of reading keeps 150 ms of the second for the rest.
 */
export const COMMIT_RECHECK_BUDGET_MS = 600;

/** The first wait between two reads; each next one is twice as long. */
const FIRST_RECHECK_DELAY_MS = 50;

/**
 * Awaits a store write. An error answer must mean that nothing was committed, so when the store
 * cannot say whether the write committed (a {@link CommitOutcomeUnknownError}: the connection
 * died during COMMIT), `findCommitted` reads what the write leaves behind, retried while the
 * store does not answer, for up to {@link COMMIT_RECHECK_BUDGET_MS}:
 * - it finds it: the write committed, and this resolves to what it found;
 * - it finds nothing (null): nothing was committed, and the write's error is rethrown;
 * - the store stays silent: the write's error is rethrown, its outcome still unknown (the
 *   reuse interval covers a client that retries a rotation that did commit: see SECURITY.md).
 * Any other error is rethrown as it is: the write committed nothing.
 */
export async function settleWrite<T>(
  write: Promise<T>,
  findCommitted: () => Promise<NonNullable<T> | null>,
): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (!(error instanceof CommitOutcomeUnknownError)) throw error;
    const found = await readOnceAnswered(findCommitted);
    if (found === null || found === undefined) throw error;
    return found;
  }
}

/** What a write leaves behind when it commits: this session holding this refresh token. */
export interface CommitMark {
  readonly sessionId: string;
  /** Random and never reused, so only the write that chose it can have stored it. */
  readonly refreshJti: string;
}

/**
 * {@link settleWrite} for a write that, when it commits, leaves the session `mark.sessionId`
 * holding the refresh token `mark.refreshJti` (a new session, a rotation, a password change):
 * when it does, the write committed and this resolves to `committed(session)`.
 */
export function settleSessionWrite<T>(
  sessions: Pick<SessionStore, 'findById'>,
  mark: CommitMark,
  write: Promise<T>,
  committed: (session: SessionRecord) => NonNullable<T>,
): Promise<T> {
  return settleWrite(write, async () => {
    const session = await sessions.findById(mark.sessionId);
    return session?.currentRefreshJti === mark.refreshJti ? committed(session) : null;
  });
}

/** What one read came to. */
type Reading<T> = { readonly answered: true; readonly value: T } | { readonly answered: false };

/** `read`, tried again until the store answers or the budget is spent; undefined if it never did. */
async function readOnceAnswered<T>(read: () => Promise<T>): Promise<T | undefined> {
  const deadline = performance.now() + COMMIT_RECHECK_BUDGET_MS;
  for (let delay = FIRST_RECHECK_DELAY_MS; ; delay *= 2) {
    const reading = await readWithin(read, deadline - performance.now());
    if (reading.answered) return reading.value;
    const wait = Math.min(delay, deadline - performance.now());
    if (wait <= 0) return undefined;
    await sleep(wait);
  }
}

/** One read, given up (not cancelled: it is only a read) once `budgetMs` have passed. */
async function readWithin<T>(read: () => Promise<T>, budgetMs: number): Promise<Reading<T>> {
  if (budgetMs <= 0) return { answered: false };
  const answer: Promise<Reading<T>> = read().then(
    (value) => ({ answered: true, value }),
    () => ({ answered: false }),
  );
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<Reading<T>>((resolve) => {
    timer = setTimeout(resolve, budgetMs, { answered: false });
  });
  try {
    return await Promise.race([answer, silence]);
  } finally {
    clearTimeout(timer);
  }
}
