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
