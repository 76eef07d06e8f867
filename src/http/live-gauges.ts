import { Gauge } from 'prom-client';
import type { AuthMetrics } from './metrics.js';

/** What live revocation reports at each scrape. */
export interface LiveProbe {
  /** Open `sessionEnded` streams, over every transport. */
  openStreams(): number;
  /** Open `GET /revocations` connections. */
  feedConnections(): number;
}

export function addLiveGauges(metrics: AuthMetrics, probe: LiveProbe): void {
  new Gauge({
    name: 'auth_session_ended_streams_open',
    help: 'Open sessionEnded subscriptions (SSE, graphql-sse and graphql-ws together).',
    registers: [metrics.registry],
    collect() {
      this.set(probe.openStreams());
    },
  });
  new Gauge({
    name: 'auth_revocation_feed_connections_open',
    help: 'Open GET /revocations connections.',
    registers: [metrics.registry],
    collect() {
      this.set(probe.feedConnections());
    },
  });
}
