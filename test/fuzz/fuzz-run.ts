import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';

// How the fuzz suites run. `npm test` (CI) runs a fixed number of cases per suite; `npm run fuzz`
// sets FUZZ_SECONDS and each suite runs that long instead. FUZZ_RUNS overrides the count,
// FUZZ_SEED (with FUZZ_PATH) replays a run, and FUZZ_SURVEY=1 first tries FUZZ_RUNS cases
// without stopping, printing every kind of failure met (for when many things fail at once).
// Every failure is written to regressions.json with its seed, path and shrunk case, and each
// suite replays its recorded cases before any new one, every time.

const REGRESSIONS = new URL('./regressions.json', import.meta.url);

/** One failure found by a fuzz run, kept so that it is replayed before any new case. */
export interface RecordedCase {
  readonly suite: string;
  /** Absent for a case found by a survey. Replays the failure only with the arbitraries of then. */
  readonly seed?: number;
  readonly path?: string;
  readonly found: string;
  readonly failure: string;
  /** The shrunk counterexample, replayed as it is, whatever the arbitraries became. */
  readonly case: unknown;
  /** What it found, and what fixed it. */
  readonly note?: string;
}

export interface FuzzReport {
  readonly suite: string;
  readonly replayed: number;
  readonly runs: number;
  readonly seed: number;
  readonly seconds: number;
}

interface Budget {
  readonly numRuns: number;
  readonly timeLimitMs: number | undefined;
  readonly seed: number | undefined;
  readonly path: string | undefined;
}

function positive(name: string): number | undefined {
  const value = Number(process.env[name] ?? '');
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function readBudget(ciRuns: number): Budget {
  const seconds = positive('FUZZ_SECONDS');
  const seed = process.env.FUZZ_SEED;
  return {
    numRuns: Math.floor(positive('FUZZ_RUNS') ?? (seconds === undefined ? ciRuns : 1e9)),
    timeLimitMs: seconds === undefined ? undefined : seconds * 1000,
    seed: seed === undefined ? undefined : Number(seed),
    path: process.env.FUZZ_PATH,
  };
}

/** For opening the apps and their sessions: a few Argon2 hashes, on a busy machine. */
export const SET_UP_MS = 60_000;

/** How long vitest may let a suite's fuzz test run: its budget plus time to shrink a failure. */
export function fuzzTestTimeout(): number {
  return ((positive('FUZZ_SECONDS') ?? 120) + 180) * 1000;
}

function readRecordedCases(): RecordedCase[] {
  return JSON.parse(readFileSync(REGRESSIONS, 'utf8')) as RecordedCase[];
}

function recordCase(entry: RecordedCase): void {
  const recorded = readRecordedCases();
  const known = recorded.some(
    (old) => old.suite === entry.suite && isDeepStrictEqual(old.case, entry.case),
  );
  if (!known) writeFileSync(REGRESSIONS, `${JSON.stringify([...recorded, entry], null, 2)}\n`);
}

/**
 * Replays the suite's recorded cases (each as stored, then by seed and path), then runs new
 * ones. A failure is shrunk, recorded in regressions.json, and thrown with fast-check's report.
 * `check` throws when a case breaks a property; it takes only plain data, since a recorded
 * case comes back from JSON.
 */
export async function runFuzz<T>(options: {
  readonly suite: string;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly check: (value: T) => Promise<void>;
  readonly ciRuns: number;
}): Promise<FuzzReport> {
  const { suite, arbitrary, check } = options;
  const property = fc.asyncProperty(arbitrary, check);
  const recorded = readRecordedCases().filter((entry) => entry.suite === suite);
  for (const [index, entry] of recorded.entries()) {
    await check(entry.case as T).catch((error: unknown) => {
      throw new Error(`recorded ${suite} case #${index} (found ${entry.found}) fails again`, {
        cause: error,
      });
    });
    if (entry.seed !== undefined && entry.path !== undefined) {
      await fc.assert(property, {
        seed: entry.seed,
        path: entry.path,
        numRuns: 1,
        endOnFailure: true,
      });
    }
  }

  const budget = readBudget(options.ciRuns);
  if (process.env.FUZZ_SURVEY === '1') await survey(arbitrary, check, budget);
  const started = Date.now();
  const details = await fc.check(property, {
    numRuns: budget.numRuns,
    ...(budget.seed === undefined ? {} : { seed: budget.seed }),
    ...(budget.path === undefined ? {} : { path: budget.path }),
    ...(budget.timeLimitMs === undefined
      ? {}
      : { interruptAfterTimeLimit: budget.timeLimitMs, markInterruptAsFailure: false }),
  });
  if (details.failed) {
    const failure = String(details.errorInstance).slice(0, 2000);
    recordCase({
      suite,
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      found: new Date().toISOString(),
      failure,
      case: details.counterexample?.[0] ?? null,
    });
    const report = fc.defaultReportMessage(details) ?? '';
    throw new Error(`${failure}\n${report}\n(recorded in test/fuzz/regressions.json)`);
  }
  return {
    suite,
    replayed: recorded.length,
    runs: details.numRuns,
    seed: details.seed,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** Tries `budget.numRuns` cases without stopping or shrinking; prints each kind of failure. */
async function survey<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  budget: Budget,
): Promise<void> {
  const kinds = new Map<string, { count: number; example: T }>();
  for (const value of fc.sample(arbitrary, { numRuns: budget.numRuns, seed: budget.seed ?? 1 })) {
    await check(value).catch((error: unknown) => {
      const kind = String(error).split('\n')[0]?.slice(0, 200) ?? '';
      const seen = kinds.get(kind);
      kinds.set(kind, { count: (seen?.count ?? 0) + 1, example: seen?.example ?? value });
    });
  }
  for (const [kind, { count, example }] of kinds) {
    console.info(
      `[fuzz survey] ${count}x ${kind}\n  e.g. ${JSON.stringify(example).slice(0, 600)}`,
    );
  }
}

/** One line per suite, for the reliability table in SECURITY.md; `note` adds the suite's own. */
export function printReport(report: FuzzReport, note = ''): void {
  console.info(
    `[fuzz] ${report.suite}: ${report.runs} cases in ${report.seconds} s (seed ${report.seed}), ` +
      `${report.replayed} recorded cases replayed${note === '' ? '' : `; ${note}`}`,
  );
}
