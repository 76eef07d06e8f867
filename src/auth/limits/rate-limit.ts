import type {
  RateLimitDecision,
  RateLimitRule,
  RateLimitStore,
} from '../ports/rate-limit-store.js';

/**
 * Rate limiting with the generic cell rate algorithm (GCRA): a rule of `limit` per `window`
 * admits a burst of `limit` and then one more every `window / limit`. Each key keeps one number,
 * its theoretical arrival time, so there are no window edges to game and the wait is exact.
 * Refused attempts are not counted: the wait a client is told is the wait it gets.
 *
 * One GCRA step: the decision and, when allowed, the key's next theoretical arrival time. */
export function decide(
  storedTat: number | undefined,
  rule: RateLimitRule,
  now: number,
): { decision: RateLimitDecision; tat: number | null } {
  const windowMs = rule.windowSeconds * 1000;
  const interval = windowMs / rule.limit;
  const tat = Math.max(storedTat ?? now, now) + interval;
  if (tat - now <= windowMs) return { decision: { allowed: true }, tat };
  const waitMs = tat - now - windowMs;
  return {
    decision: {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      repeated: false,
    },
    tat: null,
  };
}

/**
 * In-process counters, bounded to `maxKeys`: when full, keys whose allowance has fully
 * recovered go first, then the least recently used. A refused attempt also counts as use, so
 * a key under attack stays put while a flood of new keys pushes out idle ones.
 */
export function createMemoryRateLimitStore(maxKeys = 100_000): RateLimitStore {
  const tats = new Map<string, number>();
  /** Keys refused since their last admitted attempt. */
  const refusing = new Set<string>();

  // Frees a tenth of the space at once, so a flood of new keys costs amortised O(1) per key.
  function makeRoom(now: number): void {
    for (const [key, tat] of tats) if (tat <= now) forget(key);
    const target = Math.floor(maxKeys * 0.9);
    for (const key of tats.keys()) {
      if (tats.size <= target) break;
      forget(key);
    }
  }

  function forget(key: string): void {
    tats.delete(key);
    refusing.delete(key);
  }

  return {
    async consume(key, rule, now) {
      const stored = tats.get(key);
      const { decision, tat } = decide(stored, rule, now);
      const next = tat ?? stored;
      if (next !== undefined) {
        tats.delete(key); // re-insert at the end: Map order is our recency order
        if (tats.size >= maxKeys) makeRoom(now);
        tats.set(key, next);
      }
      if (decision.allowed) {
        refusing.delete(key);
        return decision;
      }
      const repeated = refusing.has(key);
      refusing.add(key);
      return { ...decision, repeated };
    },
  };
}
