// 7. `npm start` on a checkout that is already built, against `node dist/main.js`: from spawn to
// the first `200` from GET /health (polling every 2 ms), both with the environment a developer
// starts with (defaults, DATABASE_URL=:memory:, a free port). The difference is npm itself and
// scripts/start.mjs's freshness check (scripts/build-dist.mjs), which must find dist/ current
// and not compile. One unmeasured start of each comes first: it builds if dist/ is stale, so the rounds
// measure the already-built case, and it warms the file cache for both alike.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort, HOST } from '../lib/processes.mjs';
import { ROOT, SERVICE_ENTRY } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

export async function measureNpmStart(options) {
  const npmCli = findNpmCli();
  const subjects = [
    { name: 'npm-start', args: [npmCli, 'start'] },
    { name: 'node-dist', args: [SERVICE_ENTRY] },
  ];

  const warmUp = {};
  for (const subject of subjects) {
    const { ms, output } = await timeFirstHealth(subject);
    warmUp[subject.name] = { ms, compiled: /build: compiled/.test(output) };
  }
  process.stderr.write(
    `  warm-up: npm start ${warmUp['npm-start'].ms.toFixed(0)} ms${warmUp['npm-start'].compiled ? ' (compiled: dist/ was stale)' : ''}, node dist/main.js ${warmUp['node-dist'].ms.toFixed(0)} ms\n`,
  );

  const perRound = [];
  const cpuPerRound = [];
  for (let round = 0; round < options.startupRounds; round++) {
    const results = {};
    const cpu = {};
    for (const subject of orderForRound(subjects, round)) {
      const { ms, cpuSeconds, output } = await timeFirstHealth(subject);
      if (subject.name === 'npm-start' && /build: compiled/.test(output)) {
        throw new Error(`npm start compiled again on a built checkout:\n${output}`);
      }
      results[subject.name] = ms;
      cpu[subject.name] = cpuSeconds;
    }
    process.stderr.write(
      `  round ${round + 1}: npm start ${results['npm-start'].toFixed(0)} ms (${cpu['npm-start'].toFixed(2)} s CPU), node dist/main.js ${results['node-dist'].toFixed(0)} ms (${cpu['node-dist'].toFixed(2)} s CPU)\n`,
    );
    perRound.push(results);
    cpuPerRound.push(cpu);
  }
  return {
    warmUp,
    npmStartMs: summarise(perRound.map((r) => r['npm-start'])),
    nodeDistMs: summarise(perRound.map((r) => r['node-dist'])),
    npmStartVsNode: summarise(perRound.map((r) => r['npm-start'] / r['node-dist'])),
    cpuNpmStartVsNode: summarise(cpuPerRound.map((r) => r['npm-start'] / r['node-dist'])),
  };
}

/**
 * npm's CLI script, run with this same node: the one `npm run bench` was started by
 * (npm_execpath), else the `npm` on PATH.
 */
function findNpmCli() {
  if (process.env.npm_execpath) return process.env.npm_execpath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      return realpathSync(join(dir, 'npm'));
    } catch {
      // Not in this folder.
    }
  }
  throw new Error('npm is not on PATH');
}

/**
 * Milliseconds from spawn until GET /health answers 200, and the process's output. The process
 * gets a group of its own, so stopping it stops npm, its shell and the service npm started.
 */
async function timeFirstHealth({ name, args }) {
  const port = await findFreePort();
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST,
      PORT: String(port),
      DATABASE_URL: ':memory:',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  try {
    for (;;) {
      if (hasExited()) throw new Error(`${name} exited:\n${output}`);
      const status = await getStatus(port, '/health');
      if (status === 200) {
        return {
          ms: performance.now() - start,
          cpuSeconds: readGroupCpuSeconds(child.pid),
          output,
        };
      }
      if (status !== null) throw new Error(`${name} answered ${status} on /health:\n${output}`);
      if (performance.now() - start > 120_000) throw new Error(`${name} did not answer in 120 s`);
      await sleep(2);
    }
  } finally {
    await stopGroup(child.pid, hasExited, exited);
  }
}

/**
 * CPU seconds (user + system) the process group has used so far, from /proc (Linux): every
 * process still in it, plus what each has collected from children it already waited for. Far
 * less sensitive than wall time to other work on a shared machine.
 */
function readGroupCpuSeconds(groupId) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== groupId) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / 100;
}

/** SIGTERM to the whole group, SIGKILL after 5 s; resolves once no process of it is left. */
async function stopGroup(pid, hasExited, exited) {
  const signalGroup = (signal) => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch (error) {
      if (error.code === 'ESRCH') return false;
      throw error;
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + 5_000;
  while (signalGroup(0)) {
    if (Date.now() > deadline) signalGroup('SIGKILL');
    await sleep(10);
  }
  if (!hasExited()) await exited;
}

/** The status of GET `path`, or null while nothing listens on the port. */
function getStatus(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', (error) => (error.code === 'ECONNREFUSED' ? resolve(null) : reject(error)));
    req.end();
  });
}
