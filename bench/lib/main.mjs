// Runs the selected suites, then prints the table and writes results.json and chart.svg.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLogin } from '../suites/login.mjs';
import { measureMemory } from '../suites/memory.mjs';
import { measureNpmStart } from '../suites/npm-start.mjs';
import { measureProtectedQuery } from '../suites/protected-query.mjs';
import { measureReissue } from '../suites/reissue.mjs';
import { measureStartup } from '../suites/startup.mjs';
import { measureStores } from '../suites/stores.mjs';
import { describeMachine } from './machine.mjs';
import { parseOptions } from './options.mjs';
import { stopAll } from './processes.mjs';
import { buildFigures, printTable, renderChart } from './report.mjs';
import { buildService } from './service.mjs';

const BENCH = fileURLToPath(new URL('../', import.meta.url));

const MEASURE = {
  'protected-query': measureProtectedQuery,
  reissue: measureReissue,
  login: measureLogin,
  memory: measureMemory,
  startup: measureStartup,
  stores: measureStores,
  'npm-start': measureNpmStart,
};

export async function main(argv) {
  const parsed = parseOptions(argv);
  if (parsed.help) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  const { options, suites, build } = parsed;
  if (build) buildService();

  const workDir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const stopOnSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const started = new Date();
  const measurements = {};
  try {
    for (const suite of suites) {
      process.stderr.write(`\n== ${suite}\n`);
      const suiteStart = Date.now();
      measurements[suite] = await MEASURE[suite](options, workDir);
      process.stderr.write(`   (${((Date.now() - suiteStart) / 1000).toFixed(0)} s)\n`);
    }
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }

  const figures = buildFigures(measurements);
  const results = {
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: describeMachine(),
    options,
    figures,
    measurements,
  };
  printTable(results);
  writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(BENCH, 'chart.svg'), renderChart(results));
  process.stderr.write('\nWrote bench/results.json and bench/chart.svg\n');
  return 0;
}
