// The figures with their targets, the printed table, and the SVG chart.

/**
 * Each figure: the median over rounds (with min and max), its target, and whether it is met.
 * `higherIsBetter` decides which way the target points; a figure with a `tolerance` instead
 * meets its target when it is within that distance of it, on either side. `aim` is where the
 * issue hopes the figure lands, beyond the target (shown, not judged).
 *
 * The figures with a target are exactly issue 17's list; every other figure is context
 * (target null): a same-run ratio to its baseline, or an absolute value that is not charted.
 */
export function buildFigures(m) {
  const figures = [];
  const add = (id, label, unit, summary, target, higherIsBetter, note, extra = {}) => {
    const { tolerance, aim } = extra;
    const value = typeof summary === 'number' ? summary : summary.median;
    // A null target marks a figure given for context: no target, neither met nor missed.
    const met =
      target === null
        ? null
        : tolerance !== undefined
          ? Math.abs(value - target) <= tolerance
          : higherIsBetter
            ? value >= target
            : value <= target;
    figures.push({
      id,
      label,
      unit,
      value,
      min: typeof summary === 'number' ? value : summary.min,
      max: typeof summary === 'number' ? value : summary.max,
      spread: typeof summary === 'number' ? 0 : summary.spread,
      target,
      higherIsBetter,
      ...(tolerance === undefined ? {} : { tolerance }),
      ...(aim === undefined ? {} : { aim }),
      met,
      note,
    });
  };
  const perSecond = (summary) => `${formatCount(summary.median)}/s`;
  const q = m['protected-query'];
  if (q) {
    const t = q.throughput;
    const cpu = q.cpuMicrosPerRequest;
    add(
      'query-vs-yoga',
      'me { id } ÷ bare yoga, with metrics and the request log on (the defaults)',
      'x',
      q.ratios.vsYogaBare,
      0.8,
      true,
      `throughput ratio, same rounds; medians: service ${perSecond(t.service)}, bare yoga ${perSecond(t['yoga-bare'])}`,
      { aim: 1 },
    );
    add(
      'query-vs-apollo',
      'me { id } ÷ Apollo Server + jsonwebtoken',
      'x',
      q.ratios.vsApolloJsonwebtoken,
      2.4,
      true,
      `throughput ratio, same rounds; Apollo + jsonwebtoken ${perSecond(t['apollo-jsonwebtoken'])}`,
      { aim: 3 },
    );
    add(
      'query-vs-better-auth',
      'me { id } ÷ better-auth get-session',
      'x',
      q.ratios.vsBetterAuth,
      4,
      true,
      `throughput ratio, same rounds; better-auth get-session ${perSecond(t['better-auth'])}`,
      { aim: 5 },
    );
    add(
      'cpu-vs-yoga',
      "service CPU per me request ÷ bare yoga's CPU per { me }",
      'x',
      q.cpuRatios.vsYogaBare,
      1,
      false,
      `user + system CPU of each server process per request, same rounds; medians: service ${cpu.service.median.toFixed(0)} µs, bare yoga ${cpu['yoga-bare'].median.toFixed(0)} µs`,
    );
    add(
      'query-cache-gain',
      'me { id }: service ÷ same service, token cache off',
      'x',
      q.ratios.cacheOnVsOff,
      null,
      true,
      'before/after of the verified-token cache, same rounds (context)',
    );
    add(
      'query-lean-vs-yoga',
      'me { id }: service without metrics and request log ÷ bare yoga',
      'x',
      q.ratios.leanVsYogaBare,
      null,
      true,
      `what the operations extras cost, same rounds (context); service without them ${perSecond(t['service-lean'])}`,
    );
    const hello = q.limits.nodeHttpHello;
    const gjs = q.limits.graphqlJsCached;
    add(
      'limit-node-http-hello',
      'limit: me { id } service ÷ node:http hello',
      'x',
      hello.service,
      null,
      true,
      `limit: node:http hello ${perSecond(t['node-http-hello'])} (${cpu['node-http-hello'].median.toFixed(0)} µs CPU/request); service = ${hello.service.median.toFixed(2)}x of it, bare yoga ${hello.yogaBare.median.toFixed(2)}x, graphql-js cached ${hello.graphqlJsCached.median.toFixed(2)}x`,
    );
    add(
      'limit-graphql-js-cached',
      'limit: me { id } service ÷ graphql-js, cached parse, on node:http',
      'x',
      gjs.service,
      null,
      true,
      `limit: graphql-js cached parse ${perSecond(t['graphql-js-cached'])} (${cpu['graphql-js-cached'].median.toFixed(0)} µs CPU/request); service = ${gjs.service.median.toFixed(2)}x of it, bare yoga ${gjs.yogaBare.median.toFixed(2)}x`,
    );
  }
  const r = m.reissue;
  if (r) {
    add(
      'reissue-vs-yoga',
      `reissue rotations/s on SQLite, ${r.sessions} distinct sessions ÷ bare yoga's { me } req/s`,
      'x',
      r.vsYogaBare,
      0.3,
      true,
      `same rounds; medians: ${perSecond(r.rotationsPerSecond)} rotations (${formatCount(r.rotationsPerSecond.min)} .. ${formatCount(r.rotationsPerSecond.max)}), bare yoga ${perSecond(r.yogaBarePerSecond)}`,
    );
    add(
      'reissue-lineages',
      'lost or forked lineages after the reissue run (revoked counted too)',
      '',
      r.lineage.lost + r.lineage.forked + r.lineage.revoked,
      0,
      false,
      `${r.lineage.checked} sessions, ${r.lineage.rotations} rotations checked in the database: lost ${r.lineage.lost}, forked ${r.lineage.forked}, revoked ${r.lineage.revoked}`,
    );
  }
  const l = m.login;
  if (l) {
    add(
      'login-vs-argon2',
      'logins/s ÷ raw Argon2id verifications/s (same threads)',
      'x',
      l.loginVsArgon2,
      0.9,
      true,
      `${l.loginsPerSecond.median.toFixed(1)} logins/s vs ${l.argon2PerSecond.median.toFixed(1)} verifications/s`,
    );
    add(
      'login-vs-argon2-libuv',
      'logins/s ÷ Argon2id on the libuv pool at nice 0',
      'x',
      l.loginVsArgon2Libuv,
      null,
      true,
      `${l.argon2LibuvPerSecond.median.toFixed(1)} verifications/s (context); see BENCHMARKS.md on priorities`,
    );
    add(
      'storm-p99',
      'me p99 during a login storm ÷ idle p99',
      'x',
      l.stormVsIdleP99,
      2,
      false,
      `idle ${l.idleP99.median.toFixed(2)} ms, storm ${l.stormP99.median.toFixed(2)} ms at ${l.probeRate} req/s`,
    );
    add(
      'login-unknown-email',
      'failed login latency: unknown email ÷ wrong password',
      'x',
      l.unknownEmailVsWrongPassword,
      null,
      false,
      `p50 ${l.unknownEmailMs.median.toFixed(1)} ms vs ${l.wrongPasswordMs.median.toFixed(1)} ms, one at a time (context; should stay within 1.00 ± 0.10, or the timing tells which emails exist)`,
    );
  }
  const mem = m.memory;
  if (mem) {
    add(
      'rss',
      `RSS with ${mem.liveSessions.toLocaleString('en')} live sessions, default settings`,
      'MB',
      mem.serviceRssMB,
      150,
      false,
      `MB = 10^6 bytes: ${mem.serviceRssMiB.toFixed(1)} MiB against 150 MB = ${(150e6 / 2 ** 20).toFixed(2)} MiB; caches warm; bare yoga ${mem.yogaBareRssMB.toFixed(0)} MB after as many requests`,
    );
    add(
      'rss-capped',
      `RSS, same, with --max-old-space-size=${mem.heapCapMiB}`,
      'MB',
      mem.serviceHeapCappedRssMB,
      null,
      false,
      `${mem.serviceHeapCappedRssMiB.toFixed(1)} MiB (context): the live set; V8 keeps the rest as headroom when memory is plentiful`,
    );
  }
  const s = m.startup;
  if (s) {
    add(
      'startup-vs-yoga',
      "node dist/main.js to its first answer ÷ bare yoga's start-up to its first answer",
      'x',
      s.vsYogaBare,
      1.25,
      false,
      `first answer: me { id } for a seeded session; medians: service ${s.serviceMs.median.toFixed(0)} ms (${s.serviceMs.min.toFixed(0)} .. ${s.serviceMs.max.toFixed(0)}), bare yoga ${s.yogaBareMs.median.toFixed(0)} ms, same rounds`,
    );
    add(
      'startup-empty-vs-yoga',
      "start-up on an empty database ÷ bare yoga's start-up",
      'x',
      s.emptyDbVsYogaBare,
      null,
      false,
      `migrations and key generation included (context); median ${s.serviceEmptyDbMs.median.toFixed(0)} ms`,
    );
  }
  const n = m['npm-start'];
  if (n) {
    add(
      'npm-start-vs-node',
      'npm start to its first answer on a built checkout ÷ node dist/main.js',
      'x',
      n.npmStartVsNode,
      1.5,
      false,
      `first GET /health; medians: npm start ${n.npmStartMs.median.toFixed(0)} ms, node dist/main.js ${n.nodeDistMs.median.toFixed(0)} ms, same rounds`,
    );
    add(
      'npm-start-cpu-vs-node',
      'CPU to first answer: npm start ÷ node dist/main.js',
      'x',
      n.cpuNpmStartVsNode,
      null,
      false,
      'user + system seconds of the process group, same rounds (context)',
    );
  }
  const st = m.stores;
  if (st && !st.skipped) addStoreFigures(add, st);
  return figures;
}

/** The stores suite: each set-up against SQLite in the same rounds, for context (no targets). */
function addStoreFigures(add, st) {
  const { query, reissue, lineage, gauges } = st;
  const lastGauges = gauges.at(-1);
  const cache = `cache ${lastGauges.cacheEntries} sessions and channel up at every scrape (${gauges.length})`;
  add(
    'stores-query-postgres',
    'me { id }: PostgreSQL ÷ SQLite',
    'x',
    query.ratios.postgresVsSqlite,
    null,
    true,
    'throughput ratio, same run; every request reads session and user from PostgreSQL',
  );
  add(
    'stores-query-redis',
    'me { id }: PostgreSQL + Redis ÷ SQLite',
    'x',
    query.ratios.redisVsSqlite,
    null,
    true,
    `throughput ratio, same run; ${cache}`,
  );
  add(
    'stores-p99-postgres',
    'me { id } p99: PostgreSQL ÷ SQLite',
    'x',
    query.p99Ratios.postgresVsSqlite,
    null,
    false,
    'latency ratio under the same closed-loop load',
  );
  add(
    'stores-p99-redis',
    'me { id } p99: PostgreSQL + Redis ÷ SQLite',
    'x',
    query.p99Ratios.redisVsSqlite,
    null,
    false,
    'latency ratio under the same closed-loop load',
  );
  add(
    'stores-reissue-postgres',
    'reissue rotations/s: PostgreSQL ÷ SQLite',
    'x',
    reissue.ratios.postgresVsSqlite,
    null,
    true,
    `${reissue.sessionsPerSubject} distinct sessions per store`,
  );
  add(
    'stores-reissue-redis',
    'reissue rotations/s: PostgreSQL + Redis ÷ SQLite',
    'x',
    reissue.ratios.redisVsSqlite,
    null,
    true,
    `${reissue.sessionsPerSubject} distinct sessions per store`,
  );
  const checks = Object.values(lineage);
  add(
    'stores-lineages',
    'lost, forked or revoked lineages, all three stores',
    '',
    checks.reduce((sum, c) => sum + c.lost + c.forked + c.revoked, 0),
    null,
    false,
    `${checks.reduce((sum, c) => sum + c.checked, 0)} sessions, ${checks.reduce((sum, c) => sum + c.rotations, 0)} rotations checked in their databases (context; anything but 0 is a bug)`,
  );
}

/** A count with thousands separators, e.g. 12,345. */
function formatCount(value) {
  return Math.round(value).toLocaleString('en');
}

function formatValue(value, unit) {
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === '') return String(value);
  if (unit === 'MB' || unit === 'MiB') return `${value.toFixed(1)} ${unit}`;
  if (unit === 'ms') return `${value.toFixed(0)} ms`;
  return `${formatCount(value)}${unit}`;
}

function formatTarget(figure) {
  if (figure.target === null) return '(context)';
  if (figure.tolerance !== undefined) {
    return `${formatValue(figure.target, figure.unit)} ± ${figure.tolerance.toFixed(2)}`;
  }
  const aim = figure.aim === undefined ? '' : ` (aim ${formatValue(figure.aim, figure.unit)})`;
  return `${figure.higherIsBetter ? '>=' : '<='} ${formatValue(figure.target, figure.unit)}${aim}`;
}

export function printTable(results) {
  const rows = results.figures.map((figure) => [
    figure.label,
    formatValue(figure.value, figure.unit),
    figure.min === figure.max
      ? ''
      : `${formatValue(figure.min, figure.unit)} .. ${formatValue(figure.max, figure.unit)}`,
    formatTarget(figure),
    figure.met === null ? '' : figure.met ? 'met' : 'MISSED',
  ]);
  const skipped = Object.entries(results.measurements)
    .filter(([, measurement]) => measurement?.skipped)
    .map(([suite, measurement]) => `${suite}: skipped, ${measurement.skipped}`);
  const header = ['figure', 'median', 'range over rounds', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const m = results.machine;
  const out = [
    '',
    `${results.command}  (${results.options.profile}: ${results.options.rounds} rounds x ${results.options.seconds} s, ${results.durationSeconds} s in all)`,
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, commit ${m.commit}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'notes (absolute values are for orientation only; the figures are the same-run ratios):',
    ...results.figures.map((figure) => `  ${figure.id}: ${figure.note}`),
    ...(skipped.length > 0 ? ['', ...skipped] : []),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * A horizontal bar per figure, scaled so that 1 is the target: a bar past the line meets it.
 * For "at most" targets the scale is target / value, so longer is better everywhere. The
 * whisker spans the worst and best rounds.
 */
export function renderChart(results) {
  const figures = results.figures;
  const rowHeight = 34;
  const left = 560;
  const width = 1240;
  const plotWidth = width - left - 200;
  const top = 58;
  const height = top + figures.length * rowHeight + 40;
  // A context figure that is a ratio ('x') is already one to its baseline: 1 is the baseline's
  // own value. A context figure in other units (MB, a count) has no scale here: its row shows
  // the value as text, without a bar. A figure with a tolerance scores 2 on its target, 1 at the
  // edge of the band, 0 at twice that. Scores are finite and at least 0, so a 0 or an
  // unbounded ratio cannot stretch the axis.
  const charted = (figure) => figure.target !== null || figure.unit === 'x';
  const rawScore = (figure, value) => {
    if (figure.target === null) return figure.higherIsBetter ? value : 1 / value;
    if (figure.tolerance !== undefined) {
      return Math.max(0, 2 - Math.abs(value - figure.target) / figure.tolerance);
    }
    if (figure.higherIsBetter) return value / figure.target;
    if (figure.target === 0) return value === 0 ? 1 : 0;
    return figure.target / value;
  };
  const SCORE_CAP = 8;
  const score = (figure, value) => {
    const raw = rawScore(figure, value);
    return Number.isNaN(raw) ? 0 : Math.min(SCORE_CAP, Math.max(0, raw));
  };
  const maxScore = Math.max(
    2,
    ...figures.filter(charted).map((f) => Math.max(score(f, f.min), score(f, f.max))),
  );
  const scaleMax = Math.ceil(maxScore);
  const x = (s) => Math.round((left + (Math.min(s, scaleMax) / scaleMax) * plotWidth) * 10) / 10;
  const escapeXml = (text) =>
    String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const m = results.machine;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="Benchmark figures against their targets">`,
    `<title>Benchmark figures against their targets</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">Each figure against its target: 1 = target, right of the line = met; grey = context (1 = its baseline)</text>`,
    `<text x="12" y="38" fill="#555">${escapeXml(`${results.command} · ${m.cpu}, ${m.cores} cores · Node ${m.node} · commit ${m.commit} · ${results.startedAt.slice(0, 10)}`)}</text>`,
  ];
  for (let tick = 0; tick <= scaleMax; tick++) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 34}" stroke="${tick === 1 ? '#222' : '#e3e3e3'}" stroke-width="${tick === 1 ? 1.5 : 1}"/>`,
      `<text x="${tx}" y="${height - 20}" text-anchor="middle" fill="#555">${tick}x</text>`,
    );
  }
  figures.forEach((figure, i) => {
    const y = top + i * rowHeight;
    const target = figure.target === null ? 'context' : formatTarget(figure);
    const valueText = `${formatValue(figure.value, figure.unit)} (${target})`;
    parts.push(
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(figure.label)}</text>`,
    );
    if (!charted(figure)) {
      parts.push(`<text x="${left + 6}" y="${y + 17}" fill="#555">${escapeXml(valueText)}</text>`);
      return;
    }
    const s = score(figure, figure.value);
    let lo = score(figure, figure.higherIsBetter ? figure.min : figure.max);
    let hi = score(figure, figure.higherIsBetter ? figure.max : figure.min);
    if (figure.tolerance !== undefined) {
      // Rounds on both sides of the target: the best score is the target's own.
      const ends = [score(figure, figure.min), score(figure, figure.max)];
      const straddles = figure.min <= figure.target && figure.target <= figure.max;
      [lo, hi] = [Math.min(...ends), straddles ? score(figure, figure.target) : Math.max(...ends)];
    }
    const color = figure.met === null ? '#8a8a8a' : figure.met ? '#2e7d32' : '#c62828';
    parts.push(
      `<rect x="${left}" y="${y + 5}" width="${Math.max(1, Math.round((x(s) - left) * 10) / 10)}" height="16" fill="${color}" opacity="0.8"/>`,
      `<line x1="${x(lo)}" y1="${y + 13}" x2="${x(hi)}" y2="${y + 13}" stroke="#111" stroke-width="1.5"/>`,
      `<line x1="${x(lo)}" y1="${y + 8}" x2="${x(lo)}" y2="${y + 18}" stroke="#111"/>`,
      `<line x1="${x(hi)}" y1="${y + 8}" x2="${x(hi)}" y2="${y + 18}" stroke="#111"/>`,
      `<text x="${left + plotWidth + 10}" y="${y + 17}">${escapeXml(valueText)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
