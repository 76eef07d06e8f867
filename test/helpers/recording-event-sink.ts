import type { AuthEventSink, EventDelivery } from '../../src/auth/ports/event-sink.js';
import type { AuthEvent, AuthEventType } from '../../src/auth/ports/records.js';

/** Every event delivered, in order, with how it was delivered. */
export interface RecordingEventSink extends AuthEventSink {
  readonly recorded: { readonly event: AuthEvent; readonly delivery: EventDelivery | undefined }[];
  /** The recorded events' types, in order. */
  types(): AuthEventType[];
  ofType(type: AuthEventType): AuthEvent[];
}

export function createRecordingEventSink(): RecordingEventSink {
  const recorded: RecordingEventSink['recorded'] = [];
  return {
    recorded,
    record(event, delivery) {
      recorded.push({ event, delivery });
    },
    types: () => recorded.map(({ event }) => event.type),
    ofType: (type) => recorded.filter(({ event }) => event.type === type).map(({ event }) => event),
  };
}
