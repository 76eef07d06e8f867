/**
 * The sessions the feed announced, each kept until no access token of it can still be valid
 * (its `exp` plus the clock tolerance): memory is bounded by one token lifetime of revocations.
 */
export interface Denylist {
  add(sessionId: string, exp: number): void;
  has(sessionId: string, nowSeconds: number): boolean;
  clear(): void;
  readonly size: number;
}

export function createDenylist(toleranceSeconds: number): Denylist {
  const until = new Map<string, number>();
  let nextPrune = 0;
  function prune(nowSeconds: number): void {
    if (nowSeconds < nextPrune) return;
    nextPrune = nowSeconds + 1;
    for (const [sessionId, exp] of until) {
      if (exp + toleranceSeconds < nowSeconds) until.delete(sessionId);
    }
  }
  return {
    add(sessionId, exp) {
      until.set(sessionId, Math.max(exp, until.get(sessionId) ?? 0));
    },
    has(sessionId, nowSeconds) {
      prune(nowSeconds);
      return until.has(sessionId);
    },
    clear() {
      until.clear();
    },
    get size() {
      return until.size;
    },
  };
}
