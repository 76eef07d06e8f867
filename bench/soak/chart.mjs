// The soak's plot: one panel per kind of figure over time, the warm-up shaded and the fitted
// memory slopes drawn dashed over the samples they were fitted to.

const WIDTH = 920;
const LEFT = 70;
const RIGHT = 170;
const PANEL_HEIGHT = 150;
const GAP = 46;
const TOP = 84;
const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00'];

function escapeXml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A round step for about `count` ticks over [0, max]. */
function tickStep(max, count) {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= raw) ?? raw;
}

function panel(parts, { index, title, series, samples, xOf, warmupX, fits = [] }) {
  const top = TOP + index * (PANEL_HEIGHT + GAP);
  const bottom = top + PANEL_HEIGHT;
  const values = series.flatMap(({ field }) =>
    samples.map((s) => s[field]).filter((v) => v !== null),
  );
  const max = Math.max(1e-9, ...values) * 1.1;
  const step = tickStep(max, 4);
  const top2 = Math.ceil(max / step) * step;
  const yOf = (value) => Math.round((bottom - (value / top2) * PANEL_HEIGHT) * 10) / 10;
  parts.push(
    `<text x="${LEFT}" y="${top - 10}" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${LEFT}" y="${top}" width="${Math.max(0, warmupX - LEFT)}" height="${PANEL_HEIGHT}" fill="#f1f1f1"/>`,
  );
  for (let tick = 0; tick <= top2 + step / 2; tick += step) {
    const y = yOf(tick);
    const label = Number.isInteger(tick) ? tick : tick.toFixed(1);
    parts.push(
      `<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" fill="#555">${label}</text>`,
    );
  }
  series.forEach(({ field, label }, i) => {
    const points = samples
      .filter((s) => s[field] !== null)
      .map((s) => `${xOf(s.t)},${yOf(s[field])}`)
      .join(' ');
    const last = samples.at(-1)?.[field];
    const color = COLORS[i % COLORS.length];
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.6"/>`,
      `<text x="${WIDTH - RIGHT + 10}" y="${top + 14 + i * 16}" fill="${color}">${escapeXml(`${label}: ${last === null || last === undefined ? '-' : Math.round(last * 10) / 10}`)}</text>`,
    );
  });
  for (const fit of fits) {
    parts.push(
      `<line x1="${xOf(fit.from)}" y1="${yOf(fit.at(fit.from))}" x2="${xOf(fit.to)}" y2="${yOf(fit.at(fit.to))}" stroke="#111" stroke-width="1.2" stroke-dasharray="5 3"/>`,
    );
  }
  parts.push(
    `<line x1="${LEFT}" y1="${bottom}" x2="${WIDTH - RIGHT}" y2="${bottom}" stroke="#999"/>`,
  );
}

/** The SVG for `results` (see run.mjs): memory, event-loop delay, handles, cache sizes. */
export function renderSoakChart(results) {
  const { samples, verdict, machine } = results;
  const end = Math.max(1, samples.at(-1)?.t ?? 1);
  const xOf = (t) => Math.round((LEFT + (t / end) * (WIDTH - LEFT - RIGHT)) * 10) / 10;
  const warmupX = xOf(Math.min(verdict.warmupSeconds, end));
  const height = TOP + 4 * (PANEL_HEIGHT + GAP) + 10;
  const fitOf = (slope) =>
    slope.perHour === null
      ? []
      : [
          {
            from: verdict.warmupSeconds,
            to: end,
            at: (t) => slope.intercept + (slope.perHour * t) / 3600,
          },
        ];
  const { rss, nonHeapRss, liveHeap } = verdict.memory;
  const slopeText = (slope) =>
    slope.perHour === null ? 'n/a' : `${slope.perHour.toFixed(1)} MiB/h`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="Soak samples over time">`,
    '<title>Soak samples over time</title>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml(`Soak: ${results.minutes} min of mixed traffic, ${results.totalRequests.toLocaleString('en')} requests, ${verdict.passed ? 'passed' : 'FAILED'}`)}</text>`,
    `<text x="12" y="38" fill="#555">${escapeXml(`Warm-up shaded; dashed: least-squares fits after it: live heap ${slopeText(liveHeap)}, RSS - heap total ${slopeText(nonHeapRss)} (RSS ${slopeText(rss)}, not judged)`)}</text>`,
    `<text x="12" y="54" fill="#555">${escapeXml(`${results.command} · ${machine.cpu}, ${machine.cores} cores · Node ${machine.node} · commit ${machine.commit} · ${results.startedAt.slice(0, 10)}`)}</text>`,
  ];
  const panels = [
    {
      title: 'Memory (MiB); live heap: what the latest full GC left',
      series: [
        { field: 'rssMiB', label: 'RSS' },
        { field: 'heapUsedMiB', label: 'heap used' },
        { field: 'heapTotalMiB', label: 'heap total' },
        { field: 'liveHeapMiB', label: 'live heap' },
        { field: 'nonHeapMiB', label: 'RSS - heap total' },
      ],
      fits: [...fitOf(nonHeapRss), ...fitOf(liveHeap)],
    },
    {
      title: 'Event-loop delay p99 over each interval (ms)',
      series: [{ field: 'eventLoopP99Ms', label: 'p99' }],
    },
    {
      title: 'Open handles and key ring',
      series: [
        { field: 'activeHandles', label: 'active handles' },
        { field: 'keyRingKeys', label: 'key ring keys' },
      ],
    },
    {
      title: 'In-process cache and map entries',
      series: [
        { field: 'verifiedTokens', label: 'verified tokens' },
        { field: 'rateLimitKeys', label: 'rate-limit keys' },
        ...(samples.some((s) => s.sessionCache !== null)
          ? [{ field: 'sessionCache', label: 'session cache' }]
          : []),
      ],
    },
  ];
  const withNonHeap = samples.map((s) => ({ ...s, nonHeapMiB: s.rssMiB - s.heapTotalMiB }));
  panels.forEach((spec, index) => {
    panel(parts, { ...spec, index, samples: withNonHeap, xOf, warmupX });
  });
  const axisY = TOP + 4 * (PANEL_HEIGHT + GAP) - GAP + 16;
  const minuteStep = tickStep(end / 60, 6);
  for (let minute = 0; minute <= end / 60 + 1e-9; minute += minuteStep) {
    parts.push(
      `<text x="${xOf(minute * 60)}" y="${axisY}" text-anchor="middle" fill="#555">${Math.round(minute * 10) / 10} min</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
