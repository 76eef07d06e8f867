// Samples the service's /metrics at a fixed interval: memory, event-loop delay, open handles and
// the size of every in-process cache and map (gauges the service exports for operators too).

import { setTimeout as sleep } from 'node:timers/promises';

const MiB = 2 ** 20;

/** Each sample field and the metric it is read from (a missing optional one is null). */
const FIELDS = [
  ['rssMiB', 'process_resident_memory_bytes', MiB],
  ['heapUsedMiB', 'nodejs_heap_size_used_bytes', MiB],
  ['heapTotalMiB', 'nodejs_heap_size_total_bytes', MiB],
  ['eventLoopP99Ms', 'nodejs_eventloop_lag_p99_seconds', 1e-3],
  ['activeHandles', 'nodejs_active_handles_total', 1],
  ['verifiedTokens', 'auth_verified_token_cache_entries', 1],
  ['rateLimitKeys', 'auth_rate_limit_memory_keys', 1],
  ['keyRingKeys', 'auth_key_ring_imported_keys', 1],
  ['sessionCache', 'auth_session_cache_entries', 1, 'optional'],
  ['revocationChannelUp', 'auth_revocation_channel_up', 1, 'optional'],
  ['sessionsRevoked', 'auth_sessions_revoked_total', 1],
  ['requests', 'graphql_yoga_http_duration_count', 1, 'sum'],
];

/** One scrape of `/metrics`, as a sample `t` seconds into the run. */
export async function takeSample(origin, t) {
  const response = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const sample = { t };
  for (const [field, name, unit, kind] of FIELDS) {
    const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map(
      (match) => Number(match[1]),
    );
    if (values.length === 0 && kind === undefined) throw new Error(`/metrics has no ${name}`);
    const value = kind === 'sum' ? values.reduce((a, b) => a + b, 0) : values[0];
    sample[field] = value === undefined ? null : value / unit;
  }
  return sample;
}

/**
 * Takes a sample now and then every `intervalMs` (on a fixed schedule from `startedAt`) until
 * `stop()`, which takes a last one. A failed scrape is recorded and counts as a wrong answer.
 */
export function startSampler({ origin, startedAt, intervalMs, addFields, onSample }) {
  const samples = [];
  const errors = [];
  let stopped = false;
  const controller = new AbortController();

  async function sampleOnce() {
    const t = Math.round((Date.now() - startedAt) / 100) / 10;
    try {
      const sample = { ...(await takeSample(origin, t)), ...addFields?.() };
      samples.push(sample);
      onSample?.(sample);
    } catch (error) {
      errors.push({
        at: new Date().toISOString(),
        message: `/metrics at ${t} s: ${error.message}`,
      });
    }
  }

  const loop = (async () => {
    await sampleOnce();
    for (let i = 1; !stopped; i++) {
      const wait = startedAt + i * intervalMs - Date.now();
      try {
        await sleep(Math.max(0, wait), undefined, { signal: controller.signal });
      } catch {
        return; // stopped
      }
      if (!stopped) await sampleOnce();
    }
  })();

  return {
    async stop() {
      stopped = true;
      controller.abort();
      await loop;
      // A last sample, unless the schedule has just taken one.
      const last = samples.at(-1);
      if (last === undefined || Date.now() - (startedAt + last.t * 1000) > intervalMs / 2) {
        await sampleOnce();
      }
      return { samples, errors };
    },
  };
}
