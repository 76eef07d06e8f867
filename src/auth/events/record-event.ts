import type { ClientInfo } from '../client/client-info.js';
import { clampUserAgent } from '../client/user-agent.js';
import type { AuthDeps } from '../deps.js';
import type { EventDelivery } from '../ports/event-sink.js';
import type { AuthEvent } from '../ports/records.js';
import type { WriteEvent } from '../ports/store.js';
import type { AuthEventInput } from './fan-out.js';

/** An auth event stamped with the clock and the client it came from. */
export function stampEvent(
  deps: Pick<AuthDeps, 'clock'>,
  client: ClientInfo,
  event: AuthEventInput,
): AuthEvent {
  return {
    at: deps.clock.now(),
    userId: null,
    sessionId: null,
    actorId: null,
    detail: null,
    revokedSessions: 0,
    ip: client.ip,
    userAgent: clampUserAgent(client.userAgent),
    ...event,
  };
}

/** Records an auth event stamped with the clock and the client it came from. */
export function recordEvent(
  deps: Pick<AuthDeps, 'clock' | 'events'>,
  client: ClientInfo,
  event: AuthEventInput,
  delivery?: EventDelivery,
): void | Promise<void> {
  return deps.events.record(stampEvent(deps, client, event), delivery);
}

/**
 * Tells the sinks of the event of a write that committed: the store appended it to the audit
 * log with the write, so the audit log skips it and the others count it.
 */
export function announceStoredEvent(
  deps: Pick<AuthDeps, 'events'>,
  event: WriteEvent,
  revokedSessions: number,
): void | Promise<void> {
  return deps.events.record({ ...event, revokedSessions }, { stored: true });
}

/**
 * Finishes the event of a revocation that was given to the store: appended with the write when
 * it revoked any session (so only announced now), recorded now with none revoked otherwise.
 */
export function recordRevocationEvent(
  deps: Pick<AuthDeps, 'events'>,
  event: WriteEvent,
  revokedSessions: number,
): void | Promise<void> {
  if (revokedSessions > 0) return announceStoredEvent(deps, event, revokedSessions);
  return deps.events.record({ ...event, revokedSessions: 0 });
}
