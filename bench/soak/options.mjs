// Command-line options of `npm run soak`.

/**
 * Memory growth the soak tolerates after warm-up, as least-squares slopes in MiB per hour (see
 * analysis.mjs for what is fitted).
 * - The live heap (what each full GC leaves) varies by a MiB or two, so 10 MiB/hour is tight: at
 *   the soak's ~90 requests/s it is ~30 bytes kept per request.
 * - RSS outside V8's heap moves in a 60 MiB band (Argon2 takes 19 MiB per hash on its worker
 *   threads), which leaves a 30-minute fit a standard error of ~24 MiB/hour; 50 MiB/hour is
 *   about what such a run can resolve (1.2 GiB a day). Longer runs resolve finer: the standard
 *   error shrinks with the run's length to the power 1.5.
 */
export const DEFAULT_MAX_RSS_SLOPE = 50;
export const DEFAULT_MAX_HEAP_SLOPE = 10;

const DEFAULTS = {
  minutes: 30,
  clients: 6,
  accounts: 48,
  sampleSeconds: 30,
  revokeEveryMs: 2_000,
  maxRssSlope: DEFAULT_MAX_RSS_SLOPE,
  maxHeapSlope: DEFAULT_MAX_HEAP_SLOPE,
};

export const USAGE = `Usage: npm run soak -- --minutes N [--clients N] [--accounts N] [--warmup-minutes N]
                      [--sample-seconds N] [--redis [URL]] [--no-build] [--render]
                      [--max-rss-slope MiB/h] [--max-heap-slope MiB/h]
  --minutes N          how long the traffic runs (default ${DEFAULTS.minutes}); it then stops by itself
  --clients N          concurrent clients, each a closed loop over its own accounts (${DEFAULTS.clients})
  --accounts N         accounts created at the start (${DEFAULTS.accounts})
  --warmup-minutes N   samples before this are left out of the slope (default: the first third)
  --sample-seconds N   how often /metrics is sampled (${DEFAULTS.sampleSeconds})
  --redis [URL]        also run with REDIS_URL (default BENCH_REDIS_URL or redis://127.0.0.1:6379),
                       under a key prefix of its own, so the session liveness cache is measured
  --no-build           skip \`npm run build\` (dist/ must be current)
  --render             run nothing: print the report and redraw the chart from bench/soak-results.json
  --max-rss-slope X    fail when RSS outside V8's heap grows faster than X MiB/hour after
                       warm-up (${DEFAULTS.maxRssSlope})
  --max-heap-slope X   the same for the live heap after each full GC (${DEFAULTS.maxHeapSlope})
Writes bench/soak-results.json and bench/soak-chart.svg; exits 1 on a wrong answer or growth.`;

export function parseSoakOptions(argv, env) {
  const options = { ...DEFAULTS, build: true, render: false, redisUrl: null, warmupMinutes: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0)
        throw new Error(`${arg} needs a positive number\n${USAGE}`);
      return n;
    };
    if (arg === '--minutes') options.minutes = number();
    else if (arg === '--clients') options.clients = Math.round(number());
    else if (arg === '--accounts') options.accounts = Math.round(number());
    else if (arg === '--warmup-minutes') options.warmupMinutes = number();
    else if (arg === '--sample-seconds') options.sampleSeconds = number();
    else if (arg === '--max-rss-slope') options.maxRssSlope = number();
    else if (arg === '--max-heap-slope') options.maxHeapSlope = number();
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--render') options.render = true;
    else if (arg === '--redis') {
      const next = argv[i + 1];
      const given = next !== undefined && !next.startsWith('--') ? argv[++i] : undefined;
      options.redisUrl = given ?? (env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379');
    } else if (arg === '--help' || arg === '-h') return { help: USAGE };
    else throw new Error(`Unknown option ${arg}\n${USAGE}`);
  }
  options.warmupMinutes ??= options.minutes / 3;
  if (options.accounts < options.clients) options.accounts = options.clients;
  return { options };
}
