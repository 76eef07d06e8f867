import { LRUCache } from 'lru-cache';
import type {
  RateLimitDecision,
  RateLimitRule,
  RateLimitStore,
} from '../ports/rate-limit-store.js';

/*
 * Rate limiting with the generic cell rate algorithm (GCRA): a rule of `limit` per `window`
 * admits a burst of `limit` and then one more every `window / limit`. Each key keeps one number,
 * its theoretical arrival time, so there are no window edges to game and the wait is exact.
 * Refused attempts are not counted: the wait a client is told is the wait it gets.
 */

/** One GCRA step: the decision and, when allowed, the key's next theoretical arrival time. */
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

/** What the memory store keeps per key. */
interface KeyState {
  /** The theoretical arrival time: from then on the key's allowance has fully recovered. */
  readonly tat: number;
  /** Refused since its last admitted attempt. */
  readonly refusing: boolean;
}

/** The in-process store, with a read-out of how many keys it holds (for `/metrics`). */
export interface MemoryRateLimitStore extends RateLimitStore {
  /** Keys held now: at most `maxKeys`. */
  readonly size: number;
}

/**
 * In-process counters, bounded to `maxKeys`: when full, keys whose allowance has fully
 * recovered go first, then the least recently used. A refused attempt also counts as use, so
 * a key under attack stays put while a flood of new keys pushes out idle ones. Forgetting a key
 * only ever admits it again, never refuses it wrongly.
 *
 * Recovery is judged by the caller's `now`, the same clock `decide` uses, rather than by
 * lru-cache's TTL, which runs on `performance.now()`.
 */
export function createMemoryRateLimitStore(maxKeys = 100_000): MemoryRateLimitStore {
  // Bounded by count, each key counting one, without `max`'s up-front allocation of every slot.
  const keys = new LRUCache<string, KeyState>({
    maxSize: Math.max(1, maxKeys),
    sizeCalculation: () => 1,
  });

  // Frees a tenth of the space at once, so a flood of new keys costs amortised O(1) per key.
  function makeRoom(now: number): void {
    const recovered = [...keys.entries()].filter(([, state]) => state.tat <= now);
    for (const [key] of recovered) keys.delete(key);
    const target = Math.floor(maxKeys * 0.9);
    while (keys.size > target) keys.pop();
  }

  function store(key: string, state: KeyState, now: number): void {
    if (!keys.has(key) && keys.size >= maxKeys) makeRoom(now);
    keys.set(key, state);
  }

  return {
    async consume(key, rule, now) {
      const stored = keys.get(key);
      const { decision, tat } = decide(stored?.tat, rule, now);
      // A refusal keeps the stored time, and stores it again: the attempt counts as use.
      const next = tat ?? stored?.tat;
      if (next !== undefined) store(key, { tat: next, refusing: !decision.allowed }, now);
      if (decision.allowed) return decision;
      return { ...decision, repeated: stored?.refusing === true };
    },
    get size() {
      return keys.size;
    },
  };
}
