import { collectDefaultMetrics, Gauge } from 'prom-client';
import type { AuthMetrics } from './metrics.js';

/** How full each of a server's in-process caches and maps is, read at each scrape. */
export interface InProcessStateProbe {
  /** Access tokens in the verified-token cache (0 with ACCESS_TOKEN_CACHE_SIZE=0). */
  verifiedTokens(): number;
  /** Keys in the in-process rate-limit counters: all of them without Redis, the fallback's with it. */
  rateLimitKeys(): number;
  /** Key halves the key ring has imported since it opened. */
  keyRingKeys(): number;
}

/**
 * Gauges for the sizes of the server's in-process state, so an operator (and the soak) can see
 * that every cache stays within its bound under load.
 */
export function addInProcessStateGauges(metrics: AuthMetrics, probe: InProcessStateProbe): void {
  const gauges: readonly [string, string, () => number][] = [
    [
      'auth_verified_token_cache_entries',
      "Access tokens in this instance's verified-token cache (at most ACCESS_TOKEN_CACHE_SIZE).",
      probe.verifiedTokens,
    ],
    [
      'auth_rate_limit_memory_keys',
      "Keys in this instance's in-process rate-limit counters; with Redis, those counted while it could not (at most 100000).",
      probe.rateLimitKeys,
    ],
    [
      'auth_key_ring_imported_keys',
      'Key halves (public and private) the key ring has imported since start; two more per rotation.',
      probe.keyRingKeys,
    ],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  }
}

/**
 * prom-client's process and Node.js collectors (resident memory, heap, event-loop delay, active
 * handles, GC) on `metrics`' registry. Process-wide: call it once per process, from `main.ts`,
 * not per server, since each call starts an event-loop delay monitor that runs until exit. The
 * event-loop delay percentiles cover the time since the previous scrape.
 */
export function addProcessMetrics(metrics: AuthMetrics): void {
  collectDefaultMetrics({ register: metrics.registry });
}
