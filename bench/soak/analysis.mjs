// The soak's verdict: least-squares slopes of memory after warm-up, and the answers' record.

/**
 * Least-squares line through `points` ([x, y] pairs): its slope, intercept and the slope's
 * standard error (null with fewer than three points).
 */
export function fitLine(points) {
  const n = points.length;
  if (n < 3) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residuals = points.reduce((sum, [x, y]) => sum + (y - intercept - slope * x) ** 2, 0);
  return { slope, intercept, standardError: Math.sqrt(residuals / (n - 2) / sxx) };
}

/** The slope in MiB/hour of `points` ([seconds, MiB]) against `maxPerHour` (null: not judged). */
function judgeSlope(points, maxPerHour) {
  const line = fitLine(points.map(([t, mib]) => [t / 3600, mib]));
  if (line === null) return { points: points.length, maxPerHour, perHour: null };
  return {
    points: points.length,
    maxPerHour,
    perHour: line.slope,
    standardError: line.standardError,
    intercept: line.intercept,
  };
}

/**
 * Judges a run. Memory, from `warmupSeconds` on, as least-squares slopes in MiB/hour, split the
 * way a leak would show:
 * - a JavaScript leak in the live heap: what each of the main thread's full GCs left;
 * - a native leak (buffers, SQLite, handles, threads) in the RSS outside V8's heap: RSS minus
 *   the heap V8 has reserved, at each sample.
 * Each must be at most its threshold. RSS itself is reported, not judged: with the live heap
 * flat, V8 still grows its reservation towards a multiple of it for many minutes (in the first
 * 30-minute run, from 135 to 180 MiB after the 21st minute), which is bounded and no leak.
 * The run passes only with both slopes measured and within bounds, no wrong answer, and no gap
 * between revocations longer than `revocationGapMs.max`.
 */
export function judgeSoak({
  samples,
  fullCollections,
  failures,
  warmupSeconds,
  thresholds,
  revocationGapMs,
}) {
  const steady = samples.filter((sample) => sample.t >= warmupSeconds);
  const memory = {
    rss: judgeSlope(
      steady.map((sample) => [sample.t, sample.rssMiB]),
      null,
    ),
    nonHeapRss: judgeSlope(
      steady.map((sample) => [sample.t, sample.rssMiB - sample.heapTotalMiB]),
      thresholds.rss,
    ),
    liveHeap: judgeSlope(
      fullCollections.filter((gc) => gc.t >= warmupSeconds).map((gc) => [gc.t, gc.liveMiB]),
      thresholds.heap,
    ),
  };
  const reasons = [];
  for (const name of ['liveHeap', 'nonHeapRss']) {
    const slope = memory[name];
    if (slope.perHour === null) {
      reasons.push(`${name}: only ${slope.points} points after warm-up, no slope`);
    } else if (slope.perHour > slope.maxPerHour) {
      reasons.push(
        `${name} grows ${slope.perHour.toFixed(1)} MiB/hour after warm-up (at most ${slope.maxPerHour})`,
      );
    }
  }
  if (failures.length > 0) reasons.push(`${failures.length} wrong answers`);
  if (revocationGapMs.longest > revocationGapMs.max) {
    reasons.push(
      `${revocationGapMs.longest} ms without a revocation (at most ${revocationGapMs.max})`,
    );
  }
  return {
    steadySamples: steady.length,
    warmupSeconds,
    memory,
    passed: reasons.length === 0,
    reasons,
  };
}
