import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Registry } from 'prom-client';
import type { AuthEventSink } from '../auth/ports/event-sink.js';
import type { MetricsConfig } from '../config.js';
import { useGraphQLMetrics } from './graphql-metrics.js';

/** The auth counters next to yoga's GraphQL metrics, in a registry owned by one server. */
export interface AuthMetrics {
  readonly registry: Registry;
  readonly loginsSucceeded: Counter;
  readonly loginsFailed: Counter;
  readonly reissues: Counter;
  readonly refreshTokenReuseDetected: Counter;
  readonly rateLimitedRequests: Counter;
  readonly sessionsRevoked: Counter;
}

/**
 * Creates the registry and the auth counters. Each server gets its own registry (prom-client's
 * global one would be shared by every server in the process, tests included).
 */
export function createAuthMetrics(): AuthMetrics {
  const registry = new Registry();
  function counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [registry] });
  }
  return {
    registry,
    loginsSucceeded: counter('auth_logins_succeeded_total', 'Logins with the right password.'),
    loginsFailed: counter('auth_logins_failed_total', 'Logins refused: wrong email or password.'),
    reissues: counter('auth_reissues_total', 'Token pairs issued by reissue.'),
    refreshTokenReuseDetected: counter(
      'auth_refresh_token_reuse_detected_total',
      'Retired refresh tokens presented again; each ended its session.',
    ),
    rateLimitedRequests: counter(
      'auth_rate_limited_requests_total',
      'Requests refused by a rate limit.',
    ),
    sessionsRevoked: counter(
      'auth_sessions_revoked_total',
      'Sessions ended: logout, revocation, reuse detection, a password change or reset, an undone email change, a disabled or deleted account.',
    ),
  };
}

/** What an instance sharing state through Redis reports about it. */
export interface SharedStateProbe {
  /** True while revocations from other instances are known to arrive. */
  isRevocationChannelHealthy(): boolean;
  /** Sessions in this instance's liveness cache. */
  cachedSessions(): number;
  /** Keys the per-instance rate-limit fallback holds (reported by the in-process gauges). */
  fallbackRateLimitKeys(): number;
}

/** Gauges read at each scrape: is the revocation channel up, and how full is the cache. */
export function addSharedStateGauges(metrics: AuthMetrics, probe: SharedStateProbe): void {
  new Gauge({
    name: 'auth_revocation_channel_up',
    help: '1 while revocations from other instances arrive through Redis; 0 while every request reads the store.',
    registers: [metrics.registry],
    collect() {
      this.set(probe.isRevocationChannelHealthy() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'auth_session_cache_entries',
    help: "Sessions in this instance's liveness cache.",
    registers: [metrics.registry],
    collect() {
      this.set(probe.cachedSessions());
    },
  });
}

/** Counts auth events. Synchronous and in memory: it never slows an answer down. */
export function createMetricsEventSink(metrics: AuthMetrics): AuthEventSink {
  return {
    record(event) {
      switch (event.type) {
        case 'LOGIN_SUCCEEDED':
          metrics.loginsSucceeded.inc();
          break;
        case 'LOGIN_FAILED':
          metrics.loginsFailed.inc();
          break;
        case 'REISSUE':
          metrics.reissues.inc();
          break;
        case 'REFRESH_TOKEN_REUSED':
          metrics.refreshTokenReuseDetected.inc();
          break;
        case 'RATE_LIMITED':
          metrics.rateLimitedRequests.inc();
          break;
      }
      // Logout, reuse detection, a password change and an administrator all end sessions.
      if (event.revokedSessions > 0) metrics.sessionsRevoked.inc(event.revokedSessions);
    },
  };
}

const METRICS_PATH = '/metrics';

/**
 * `GET /metrics` in the Prometheus text format: yoga's GraphQL metrics and the auth counters.
 * With a token configured, only `Authorization: Bearer <token>` is answered; anything else gets
 * 401 without the metrics.
 */
export function useMetrics(config: MetricsConfig, metrics: AuthMetrics): Plugin {
  const { registry } = metrics;
  const expected = config.token === undefined ? null : `Bearer ${config.token}`;
  return {
    onPluginInit({ addPlugin }) {
      // Served below, behind the token check. The series leave out the URL (one per query
      // string, and a GET query string can hold variables): the operation name says enough.
      addPlugin(useGraphQLMetrics(registry));
    },
    async onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== METRICS_PATH) return;
      if (expected !== null && !isSameSecret(request.headers.get('authorization'), expected)) {
        endResponse(
          new fetchAPI.Response('Unauthorized\n', {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="metrics"' },
          }),
        );
        return;
      }
      endResponse(
        new fetchAPI.Response(await registry.metrics(), {
          headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}

/** Constant-time comparison, so response timing does not reveal how much of the token matched. */
function isSameSecret(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
