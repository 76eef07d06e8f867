/** A limit of `limit` attempts per `windowSeconds`; see `limits/rate-limit.ts` for the algorithm. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

export type RateLimitDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly retryAfterSeconds: number;
      /** True when the key was already refused since its last admitted attempt. */
      readonly repeated: boolean;
    };

/**
 * Where counters live. The in-process store serves one node; a shared implementation (Redis)
 * must apply `decide` (limits/rate-limit.ts) atomically per key.
 */
export interface RateLimitStore {
  consume(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision>;
}
