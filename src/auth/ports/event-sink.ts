import type { AuthEvent } from './records.js';

/** How an event is delivered, beyond the event itself. */
export interface EventDelivery {
  /**
   * A rate-limit refusal that repeats one already delivered for the same key since it was last
   * admitted. Counters count it; the audit log skips it.
   */
  readonly repeated?: boolean;
  /**
   * The store has appended the event to the audit log already, in the transaction of the write
   * it records (see WriteEvent). Counters count it; the audit log does not store it again.
   */
  readonly stored?: boolean;
}

/**
 * Receives every auth event: the audit log, metrics. Awaited, so an audit write completes
 * before the answer is sent. An event of a write reaches the sinks after its commit, so a
 * sink other than the audit log must not fail: its failure would answer an error for work
 * that was done.
 */
export interface AuthEventSink {
  record(event: AuthEvent, delivery?: EventDelivery): void | Promise<void>;
}
