import type { AuthEventInput, EventDelivery } from './fan-out.js';
import type { AuthDeps, ClientInfo } from '../deps.js';
import { clampUserAgent } from '../client/user-agent.js';

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
