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
