/** Calls a function at a fixed interval. Injected, so tests beat the heart themselves. */
export interface Ticker {
  /** Calls `tick` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, tick: () => Promise<void>): () => void;
}

/** `setInterval`, without keeping the process alive. `tick` must not reject. */
export const intervalTicker: Ticker = {
  every(intervalMs, tick) {
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
