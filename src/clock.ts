/** The source of "now". Injected everywhere, so expiry and rotation windows are tested without sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that never steps back or jumps when the system time is set: for measuring intervals
 * (how long since Redis last answered), where a wall-clock step would look like silence, or
 * hide it. Its readings are close to, but not exactly, the epoch time.
 */
export const monotonicClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};
