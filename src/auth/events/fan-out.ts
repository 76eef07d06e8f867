import type { AuthEventSink } from '../ports/event-sink.js';
import type { AuthEvent } from '../ports/records.js';

/*
 * Auth events: what happened, to whom, from where. The audit log stores them and metrics count
 * them. The event types live with the other records (ports/records.ts) because the store
 * persists them.
 */

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
