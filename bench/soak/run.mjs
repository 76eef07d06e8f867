// `npm run soak -- --minutes N`: mixed traffic against the built service for N minutes, sampling
// its /metrics every 30 s. Fails (exit 1) on any wrong answer, on a revocation gap longer than a
// few seconds, or when RSS or heap keeps growing after warm-up. Everything runs on 127.0.0.1:
// the service on a free port, SQLite in a temp dir, Redis only with --redis (a loopback one).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describeMachine } from '../lib/machine.mjs';
import { stopAll } from '../lib/processes.mjs';
import { buildService, startService } from '../lib/service.mjs';
import { deleteRedisKeys, uniqueKeyPrefix } from '../lib/stores.mjs';
import { judgeSoak } from './analysis.mjs';
import { renderSoakChart } from './chart.mjs';
import { REQUEST_TIMEOUT_MS, slowest } from './client.mjs';
import { followGcTrace } from './gc-trace.mjs';
import { parseSoakOptions } from './options.mjs';
import { printSoakReport } from './report.mjs';
import { startSampler } from './sampler.mjs';
import { checkHeldSessions, createAccounts, longestRevocationGap, runTraffic } from './traffic.mjs';

const BENCH = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = join(BENCH, 'soak-results.json');
const CHART = join(BENCH, 'soak-chart.svg');
/** Revocations must come at least this often: "every few seconds". */
const MAX_REVOCATION_GAP_MS = 5_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Production defaults except: rate limits high enough never to refuse the soak's traffic but
 * on, so their counters fill (keyed on X-Forwarded-For addresses the soak makes up).
 */
const SOAK_ENV = {
  ACCESS_TOKEN_TTL: '15m',
  TRUST_PROXY: '1',
  RATE_LIMIT_LOGIN_IP: '100000/1m',
  RATE_LIMIT_LOGIN_ACCOUNT: '100000/1m',
  RATE_LIMIT_SIGNUP_IP: '100000/1m',
  RATE_LIMIT_REISSUE_IP: '100000/1m',
  RATE_LIMIT_CHANGE_PASSWORD_IP: '100000/1m',
  RATE_LIMIT_CHANGE_PASSWORD_ACCOUNT: '100000/1m',
};

async function soak(options, workDir) {
  const extra = { ...SOAK_ENV };
  if (options.redisUrl !== null) {
    if (!LOOPBACK.has(new URL(options.redisUrl).hostname)) {
      throw new Error(`--redis must be on 127.0.0.1 (got ${new URL(options.redisUrl).hostname})`);
    }
    extra.REDIS_URL = options.redisUrl;
    extra.REDIS_KEY_PREFIX = uniqueKeyPrefix();
  }
  // --trace-gc: the live heap after each full GC (gc-trace.mjs), on the service's stdout.
  const service = await startService({
    dbPath: join(workDir, 'soak.db'),
    extra,
    name: 'soak',
    nodeArgs: ['--trace-gc'],
  });
  let startedAt = Date.now();
  const gc = followGcTrace(service.child.stdout, () => startedAt);
  const origin = `http://127.0.0.1:${service.port}`;
  try {
    const runId = randomBytes(3).toString('hex');
    process.stderr.write(`  service on ${origin}; creating ${options.accounts} accounts\n`);
    const users = await createAccounts(service.url, options.accounts, runId);
    startedAt = Date.now();
    const deadline = startedAt + options.minutes * 60_000;
    const sampler = startSampler({
      origin,
      startedAt,
      intervalMs: options.sampleSeconds * 1000,
      addFields: () => ({ liveHeapMiB: gc.latest(), fullGcs: gc.fullCollections().length }),
      onSample: (s) =>
        process.stderr.write(
          `  ${(s.t / 60).toFixed(1)} min: RSS ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapUsedMiB.toFixed(1)} MiB (live ${s.liveHeapMiB ?? '-'}), p99 ${s.eventLoopP99Ms.toFixed(1)} ms, ${s.requests} requests\n`,
        ),
    });
    const traffic = await runTraffic({
      url: service.url,
      users,
      clients: options.clients,
      deadline,
      revokeEveryMs: options.revokeEveryMs,
    });
    const { samples, errors } = await sampler.stop();
    const endedAt = Date.now();
    const held = await checkHeldSessions(service.url, users);
    if (traffic.failures.length > 0 || held.lost.length > 0) {
      // A service that stops answering may be on its way out (a signal): give it time to say so.
      await Promise.race([service.exited, sleep(5_000)]);
    }
    if (service.hasExited()) {
      const { code, signal } = await service.exited;
      errors.push({ at: new Date().toISOString(), message: `service exited (${signal ?? code})` });
    }
    const failures = [...traffic.failures, ...errors, ...held.lost];
    return {
      samples,
      fullCollections: gc.fullCollections().filter((collection) => collection.t >= 0),
      traffic,
      held,
      failures,
      // What the service logged last, to say why when anything failed (GC trace lines left out).
      serviceLog: failures.length === 0 ? [] : lastLogLines(service.output(), 40),
      startedAt,
      endedAt,
    };
  } finally {
    await service.stop();
    if (extra.REDIS_KEY_PREFIX !== undefined) {
      await deleteRedisKeys(options.redisUrl, extra.REDIS_KEY_PREFIX);
    }
  }
}

function lastLogLines(output, count) {
  const lines = output.split('\n').filter((line) => line !== '' && !line.startsWith('['));
  return lines.slice(-count);
}

export async function main(argv) {
  const parsed = parseSoakOptions(argv, process.env);
  if (parsed.help) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  const { options } = parsed;
  if (options.render) return renderSaved();
  if (options.build) buildService();
  const workDir = mkdtempSync(join(tmpdir(), 'auth-soak-'));
  const stopOnSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let run;
  try {
    run = await soak(options, workDir);
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
  const { samples, fullCollections, traffic, held, failures, serviceLog, startedAt, endedAt } = run;
  const gap = longestRevocationGap(traffic.revocationTimes, startedAt, endedAt);
  const verdict = judgeSoak({
    samples,
    fullCollections,
    failures,
    warmupSeconds: options.warmupMinutes * 60,
    thresholds: { rss: options.maxRssSlope, heap: options.maxHeapSlope },
    revocationGapMs: { longest: gap, max: MAX_REVOCATION_GAP_MS },
  });
  const results = {
    command: `npm run soak${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: new Date(startedAt).toISOString(),
    minutes: options.minutes,
    clients: options.clients,
    accounts: options.accounts,
    redis: options.redisUrl !== null,
    machine: describeMachine(),
    totalRequests: samples.at(-1)?.requests ?? 0,
    traffic: {
      counts: traffic.counts,
      revocations: traffic.revocationTimes.length,
      longestRevocationGapMs: gap,
      slowestAnswerMs: slowest,
      timeoutMs: REQUEST_TIMEOUT_MS,
      heldSessionsChecked: held.checked,
      heldSessionsLost: held.lost.length,
      failures,
    },
    verdict,
    samples,
    fullCollections,
    serviceLog,
  };
  printSoakReport(results);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(CHART, renderSoakChart(results));
  process.stderr.write('Wrote bench/soak-results.json and bench/soak-chart.svg\n');
  return verdict.passed ? 0 : 1;
}

/** `--render`: the report and the chart again from the last run's saved samples. */
function renderSaved() {
  const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
  printSoakReport(results);
  writeFileSync(CHART, renderSoakChart(results));
  process.stderr.write('Wrote bench/soak-chart.svg from bench/soak-results.json\n');
  return results.verdict.passed ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
