import type { Timers } from '../../src/auth/live/timers.js';
import type { Clock } from '../../src/clock.js';
import type { Ticker } from '../../src/redis/ticker.js';

export interface TestClock extends Clock {
  advanceSeconds(seconds: number): void;
  advanceMilliseconds(milliseconds: number): void;
}

/** A clock that only moves when told to, so expiry is tested without sleeping. */
export function createTestClock(start = Date.parse('2026-01-01T00:00:00.000Z')): TestClock {
  let now = start;
  return {
    now: () => now,
    advanceSeconds(seconds) {
      now += seconds * 1000;
    },
    advanceMilliseconds(milliseconds) {
      now += milliseconds;
    },
  };
}

export interface ManualTicker extends Ticker {
  /** Ticks every running schedule once; resolves when every tick has settled. */
  tick(): Promise<void>;
}

/** A ticker that only ticks when told to: intervals are ignored, time is the test's. */
export function createManualTicker(): ManualTicker {
  const ticks = new Set<() => Promise<void>>();
  return {
    every(_intervalMs, tick) {
      const entry = (): Promise<void> => tick();
      ticks.add(entry);
      return () => {
        ticks.delete(entry);
      };
    },
    async tick() {
      await Promise.all([...ticks].map((tick) => tick()));
    },
  };
}

export interface ManualTimers extends Timers {
  /** Moves `clock` on by `milliseconds`, running every timer that falls due, in order. */
  advance(milliseconds: number): void;
  /** Timers waiting to run. */
  readonly pending: number;
}

/** Timers that run only when the test moves the clock on, so expiry is tested without sleeping. */
export function createManualTimers(clock: TestClock): ManualTimers {
  interface Task {
    due: number;
    run: () => void;
    every: number | null;
  }
  const tasks = new Set<Task>();
  function add(task: Task): () => void {
    tasks.add(task);
    return () => tasks.delete(task);
  }
  return {
    schedule: (delayMs, run) => add({ due: clock.now() + Math.max(0, delayMs), run, every: null }),
    repeat: (intervalMs, run) => add({ due: clock.now() + intervalMs, run, every: intervalMs }),
    advance(milliseconds) {
      const until = clock.now() + milliseconds;
      for (;;) {
        const next = [...tasks]
          .filter((task) => task.due <= until)
          .sort((a, b) => a.due - b.due)[0];
        if (next === undefined) break;
        clock.advanceMilliseconds(Math.max(0, next.due - clock.now()));
        if (next.every === null) tasks.delete(next);
        else next.due += next.every;
        next.run();
      }
      clock.advanceMilliseconds(until - clock.now());
    },
    get pending() {
      return tasks.size;
    },
  };
}
