/** `'10s'`, `'2m'`, `'500ms'` or milliseconds as a number. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`;

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function millisecondsOf(duration: Duration, name: string): number {
  if (typeof duration === 'number') {
    if (Number.isFinite(duration) && duration >= 0) return duration;
  } else {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
    if (match !== null) return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
  }
  throw new TypeError(
    `${name} must be milliseconds or a duration such as '10s', got ${String(duration)}.`,
  );
}
