import type { AuthEvent } from '../ports/records.js';

export { AUTH_EVENT_TYPES, type AuthEvent, type AuthEventType } from '../ports/records.js';

/*
 * Auth events: what happened, to whom, from where. The audit log stores them and metrics count
 * them. The types live with the other records because the store persists them.
 */

/** How an event is delivered, beyond the event itself. */
export interface EventDelivery {
  /**
   * A rate-limit refusal that repeats one already delivered for the same key since it was last
   * admitted. Counters count it; the audit log skips it.
   */
  readonly repeated: boolean;
}

/** Receives every auth event. Awaited, so an audit write completes before the answer is sent. */
export interface AuthEventSink {
  record(event: AuthEvent, delivery?: EventDelivery): void | Promise<void>;
}

export type AuthEventInput = Pick<AuthEvent, 'type'> & Partial<Omit<AuthEvent, 'type'>>;

/** Sends each event to every sink, in order. */
export function fanOutEvents(sinks: readonly AuthEventSink[]): AuthEventSink {
  return {
    async record(event, delivery) {
      for (const sink of sinks) await sink.record(event, delivery);
    },
  };
}

export const ignoreEvents: AuthEventSink = { record() {} };
