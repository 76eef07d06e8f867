import { CommitOutcomeUnknownError } from '../auth/ports/commit-outcome.js';
import type { AuthEvent } from '../auth/ports/records.js';
import type { WriteEvent } from '../auth/ports/store.js';

// How both stores run a write with its audit event, the same way in either dialect:
//  1. the write's statements, in one transaction;
//  2. the event's row, in the same transaction, only when the write wrote something;
//  3. COMMIT.
// So an error before COMMIT rolls everything back, and the one error whose outcome is unknown
// (COMMIT itself failed) is told apart from the others.

/**
 * How many sessions a write's result says it revoked, or null when it wrote nothing (then
 * nothing is appended for its event).
 */
export type RevokedSessionsOf<T> = (result: T) => number | null;

/** Every write that wrote, and that revokes no session, records this many. */
export function wroteWithoutRevoking(result: unknown): number | null {
  return result === null || result === undefined ? null : 0;
}

/** A revocation wrote when it revoked any session. */
export function revokedAny(revoked: number): number | null {
  return revoked > 0 ? revoked : null;
}

import type { WriteEvents } from '../auth/ports/write-event.js';

export type { WriteEvents };

/** The audit rows of a write's events, once the write has said what it revoked. */
export function auditRowsOf(events: WriteEvents, revokedSessions: number): AuthEvent[] {
  const list: readonly WriteEvent[] =
    events === undefined ? [] : 'type' in events ? [events] : events;
  return list.map((event) => ({ ...event, revokedSessions }));
}

/**
 * Runs a transaction whose body calls `committing()` as its very last step. An error after that
 * came from COMMIT, and the write may or may not have committed: it is rethrown as a
 * CommitOutcomeUnknownError. An error before it rolled the transaction back, so nothing was
 * written: it is rethrown as it is.
 */
export async function runTransaction<T>(
  transaction: (committing: () => void) => T | Promise<T>,
): Promise<T> {
  let bodyDone = false;
  try {
    return await transaction(() => {
      bodyDone = true;
    });
  } catch (error) {
    if (bodyDone) throw new CommitOutcomeUnknownError(error);
    throw error;
  }
}
