import type { Clock } from '../../src/clock.js';

export interface TestClock extends Clock {
  advanceSeconds(seconds: number): void;
}

/** A clock that only moves when told to, so expiry is tested without sleeping. */
export function createTestClock(start = Date.parse('2026-01-01T00:00:00.000Z')): TestClock {
  let now = start;
  return {
    now: () => now,
    advanceSeconds(seconds) {
      now += seconds * 1000;
    },
  };
}
