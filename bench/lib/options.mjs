// Command-line options: `--quick` for a short run, `--only a,b` to pick suites.

import { resolve } from 'node:path';
export const SUITES = [
  'protected-query',
  'reissue',
  'login',
  'memory',
  'startup',
  'stores',
  'npm-start',
];

const FULL = {
  profile: 'full',
  connections: 16,
  seconds: 3,
  warmupSeconds: 3,
  rounds: 7,
  sessions: 64,
  reissueSessions: 256,
  liveSessions: 100_000,
  startupRounds: 7,
};

const QUICK = {
  profile: 'quick',
  connections: 8,
  seconds: 1,
  warmupSeconds: 1,
  rounds: 2,
  sessions: 8,
  reissueSessions: 32,
  liveSessions: 5_000,
  startupRounds: 2,
};

const USAGE = `Usage: npm run bench -- [--quick] [--only ${SUITES.join(',')}] [--no-build]
                       [--rounds N] [--seconds N] [--startup-rounds N] [--live-sessions N]
                       [--cpu-prof DIR]
  --quick          a short run (seconds per suite) to check that everything works
  --only LIST      run only these suites (comma-separated)
  --startup-rounds N
                   rounds of the startup and npm-start suites (default 7, 2 with --quick)
  --no-build       skip \`npm run build\` (dist/ must be current)
  --cpu-prof DIR   run the service under \`node --cpu-prof\`, writing profiles to DIR
                   (summarise one with \`node bench/tools/summarise-profile.mjs FILE\`)
The stores suite uses PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres,
where it creates and drops a database of its own) and Redis at BENCH_REDIS_URL (default
redis://127.0.0.1:6379, under a key prefix of its own); it is skipped when either does not answer.`;

export function parseOptions(argv) {
  let options = { ...FULL };
  let suites = [...SUITES];
  let build = true;
  let cpuProfileDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === '--quick') options = { ...QUICK, ...pickOverrides(options) };
    else if (arg === '--only') {
      suites = value().split(',');
      const unknown = suites.filter((suite) => !SUITES.includes(suite));
      if (unknown.length > 0) throw new Error(`Unknown suite ${unknown.join(', ')}\n${USAGE}`);
    } else if (arg === '--no-build') build = false;
    else if (arg === '--rounds') options.rounds = count();
    else if (arg === '--seconds') options.seconds = count();
    else if (arg === '--startup-rounds') options.startupRounds = count();
    else if (arg === '--live-sessions') options.liveSessions = count();
    else if (arg === '--cpu-prof') cpuProfileDir = resolve(value());
    else if (arg === '--help' || arg === '-h') return { help: USAGE };
    else throw new Error(`Unknown option ${arg}\n${USAGE}`);
  }
  options.serviceNodeArgs =
    cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  return { options, suites, build };
}

/** Keeps explicit overrides given before `--quick`. */
function pickOverrides(options) {
  const overrides = {};
  for (const key of Object.keys(FULL)) {
    if (options[key] !== FULL[key]) overrides[key] = options[key];
  }
  return overrides;
}
