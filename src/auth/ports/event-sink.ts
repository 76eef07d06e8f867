import type { AuthEvent } from './records.js';

/** How an event is delivered, beyond the event itself. */
export interface EventDelivery {
  /**
   * A rate-limit refusal that repeats one already delivered for the same key since it was last
   * admitted. Counters count it; the audit log skips it.
   */
  readonly repeated: boolean;
}

/**
 * Receives every auth event: the audit log, metrics. Awaited, so an audit write completes
 * before the answer is sent.
 */
export interface AuthEventSink {
  record(event: AuthEvent, delivery?: EventDelivery): void | Promise<void>;
}
