// Small statistics for rounds of a benchmark: medians and the spread around them.

/** The median of a non-empty list of numbers. */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Median, minimum and maximum of the rounds, and the spread as (max - min) / median: how far
 * apart the best and worst rounds were, relative to the figure reported.
 */
export function summarise(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  const mid = median(finite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return {
    median: mid,
    min,
    max,
    spread: mid === 0 ? 0 : (max - min) / mid,
    rounds: finite.length,
    values: finite,
  };
}

/** Rotates `items` by `round`, so no subject always runs first (or last) in a round. */
export function orderForRound(items, round) {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
