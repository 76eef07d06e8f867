import type { ClientInfo } from '../client/client-info.js';
import { clampUserAgent } from '../client/user-agent.js';
import type { AuthDeps } from '../deps.js';
import type { EventDelivery } from '../ports/event-sink.js';
import type { AuthEventInput } from './fan-out.js';

/** Records an auth event stamped with the clock and the client it came from. */
export function recordEvent(
  deps: Pick<AuthDeps, 'clock' | 'events'>,
  client: ClientInfo,
  event: AuthEventInput,
  delivery?: EventDelivery,
): void | Promise<void> {
  return deps.events.record(
    {
      at: deps.clock.now(),
      userId: null,
      sessionId: null,
      actorId: null,
      detail: null,
      revokedSessions: 0,
      ip: client.ip,
      userAgent: clampUserAgent(client.userAgent),
      ...event,
    },
    delivery,
  );
}
