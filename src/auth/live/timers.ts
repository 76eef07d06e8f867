/** Timers, injected so that tests can run an expiry or a heartbeat without waiting for it. */
export interface Timers {
  /** Runs `run` once after `delayMs`; the answer cancels it. */
  schedule(delayMs: number, run: () => void): () => void;
  /** Runs `run` every `intervalMs`; the answer stops it. */
  repeat(intervalMs: number, run: () => void): () => void;
}

/** Node's timers, unref'd: an open stream or a poll never keeps a stopping process alive. */
export const systemTimers: Timers = {
  schedule(delayMs, run) {
    const timer = setTimeout(run, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
  repeat(intervalMs, run) {
    const timer = setInterval(run, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
