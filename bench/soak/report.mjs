// The soak's printed report: the samples as a Markdown table (pasted into BENCHMARKS.md as is),
// the slopes and the verdict.

const COLUMNS = [
  ['min', (s) => (s.t / 60).toFixed(1)],
  ['RSS MiB', (s) => s.rssMiB.toFixed(1)],
  ['heap used MiB', (s) => s.heapUsedMiB.toFixed(1)],
  ['heap total MiB', (s) => s.heapTotalMiB.toFixed(1)],
  ['RSS - heap total', (s) => (s.rssMiB - s.heapTotalMiB).toFixed(1)],
  ['live heap MiB', (s) => (s.liveHeapMiB === null ? '-' : s.liveHeapMiB.toFixed(1))],
  ['loop p99 ms', (s) => s.eventLoopP99Ms.toFixed(1)],
  ['handles', (s) => String(s.activeHandles)],
  ['verified tokens', (s) => String(s.verifiedTokens)],
  ['rate-limit keys', (s) => String(s.rateLimitKeys)],
  ['key ring', (s) => String(s.keyRingKeys)],
  ['session cache', (s) => (s.sessionCache === null ? '-' : String(s.sessionCache))],
  ['requests', (s) => String(s.requests)],
];

/** The samples as a Markdown table, numbers right-aligned. */
export function formatSampleTable(samples) {
  const rows = samples.map((sample) => COLUMNS.map(([, format]) => format(sample)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells) => `| ${cells.map((cell, i) => cell.padStart(widths[i])).join(' | ')} |`;
  return [
    line(COLUMNS.map(([title]) => title)),
    `| ${widths.map((w) => `${'-'.repeat(w - 1)}:`).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

function describeSlope(name, slope) {
  if (slope.perHour === null) return `${name}: no slope (${slope.points} points after warm-up)`;
  const fit = `${name}: ${slope.perHour.toFixed(2)} ± ${slope.standardError.toFixed(2)} MiB/hour over ${slope.points} points after warm-up`;
  if (slope.maxPerHour === null) return `${fit} (reported, not judged)`;
  const verdict = slope.perHour <= slope.maxPerHour ? 'ok' : 'TOO STEEP';
  return `${fit} (at most ${slope.maxPerHour}) ${verdict}`;
}

export function printSoakReport(results) {
  const { verdict, traffic, machine } = results;
  const out = [
    '',
    `${results.command}  (${results.minutes} min, ${results.clients} clients, ${results.accounts} accounts${results.redis ? ', Redis' : ''})`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, commit ${machine.commit}`,
    '',
    formatSampleTable(results.samples),
    '',
    `operations: ${Object.entries(traffic.counts)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}`,
    `requests: ${results.totalRequests}; revocations: ${traffic.revocations}, longest gap ${traffic.longestRevocationGapMs} ms`,
    `slowest answers (ms, bound ${traffic.timeoutMs}): ${Object.entries(traffic.slowestAnswerMs)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(', ')}`,
    `after the run: ${traffic.heldSessionsChecked} held sessions checked (me, reissue, mySessions), ${traffic.heldSessionsLost} lost`,
    `warm-up: first ${(verdict.warmupSeconds / 60).toFixed(1)} min; ${verdict.steadySamples} samples after it`,
    describeSlope('live heap (after each full GC)', verdict.memory.liveHeap),
    describeSlope('RSS outside the V8 heap (RSS - heap total)', verdict.memory.nonHeapRss),
    describeSlope('RSS', verdict.memory.rss),
    ...traffic.failures
      .slice(0, 10)
      .map((f) => `WRONG ANSWER ${f.at} ${f.message} ${f.answer ?? ''}`),
    ...(results.serviceLog?.length > 0 ? ['service log, last lines:', ...results.serviceLog] : []),
    verdict.passed ? 'PASSED' : `FAILED: ${verdict.reasons.join('; ')}`,
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
