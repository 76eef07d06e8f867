const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Upper bound for any configured duration, so arithmetic on milliseconds stays exact. */
const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

/**
 * Parses `900`, `30s`, `15m`, `12h` or `14d` into whole seconds.
 * Returns null for anything else, including negative, fractional or absurdly long values.
 */
export function parseDurationSeconds(text: string): number | null {
  const match = /^(\d{1,10})([smhd])?$/.exec(text.trim());
  if (!match?.[1]) return null;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_SECONDS;
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  return seconds <= MAX_DURATION_SECONDS ? seconds : null;
}

const UNIT_MILLISECONDS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * Parses `500ms`, `5s` or `2m` into whole milliseconds, for timeouts finer than a second. The
 * unit is required: a bare `500` could mean either, and guessing wrong is a thousandfold.
 * Returns null for anything else.
 */
export function parseDurationMilliseconds(text: string): number | null {
  const match = /^(\d{1,10})(ms|s|m)$/.exec(text.trim());
  if (!match?.[1]) return null;
  const unit = match[2] as keyof typeof UNIT_MILLISECONDS;
  const milliseconds = Number(match[1]) * UNIT_MILLISECONDS[unit];
  return milliseconds <= MAX_DURATION_SECONDS * 1000 ? milliseconds : null;
}
