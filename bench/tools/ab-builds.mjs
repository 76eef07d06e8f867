// A/B of service builds: several built `dist/` trees and bare yoga under the same `me { id }`
// load, in rounds whose order rotates, reporting same-run ratios. It is how the before/after
// figures of BENCHMARKS.md's later sections were taken.
//
//   npm run build && mkdir -p .ab && cp -a dist .ab/before && cp -a drizzle .ab/   # once, before
//   ... change, npm run build ...
//   node bench/tools/ab-builds.mjs --rounds 8 --seconds 3 .ab/before dist
//   node bench/tools/ab-builds.mjs dist 'dist@METRICS=off,LOG_LEVEL=warn'   # env per subject
//   node bench/tools/ab-builds.mjs dist 'dist@NODE_ARGS=--max-old-space-size=64'   # node's flags
//
// A build must sit inside the checkout (node_modules and ../drizzle resolve from it). Every
// subject shares one database and 64 sessions; every answer is checked.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { postGraphQL } from '../lib/graphql-client.mjs';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { startBareYoga } from '../lib/peers.mjs';
import { findFreePort, HOST, readCpuSeconds, startProcess, waitUntil } from '../lib/processes.mjs';
import { openSessions, serviceEnv, signUp } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

const ME = JSON.stringify({ query: '{ me { id } }' });
const isMe = (text) => text.startsWith('{"data":{"me":{"id":"');

const { rounds, seconds, builds } = parseArguments(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'ab-builds-'));
const subjects = [];
try {
  let bearers;
  for (const [index, build] of builds.entries()) {
    const [dir, env = ''] = build.split('@');
    const port = await findFreePort();
    const name = `${index}:${build}`;
    // NODE_ARGS (space-separated) goes to node's command line, not to the environment.
    const { NODE_ARGS: nodeArgs = '', ...extra } = parseEnv(env);
    const args = [...nodeArgs.split(' ').filter(Boolean), join(resolve(dir), 'main.js')];
    const handle = startProcess(name, args, {
      cwd: process.cwd(),
      env: serviceEnv({ port, dbPath: join(work, 'ab.db'), extra }),
    });
    subjects.push({ name, handle, url: `http://${HOST}:${port}/graphql` });
    const { url } = subjects.at(-1);
    await waitUntil(handle, async () => (await postGraphQL(url, '{ __typename }')).status === 200);
    if (bearers === undefined) {
      await signUp(url, 'ab@example.com');
      const pairs = await openSessions(url, 'ab@example.com', 64);
      bearers = pairs.map((pair) => `Bearer ${pair.accessToken}`);
    }
  }
  const bare = await startBareYoga();
  subjects.push({ name: 'yoga-bare', handle: bare, url: bare.url });
  const load = (subject, s) =>
    runLoad({
      url: subject.url,
      body: ME,
      headerPool: ['authorization', bearers],
      connections: 16,
      seconds: s,
      verify: isMe,
    });
  for (const subject of subjects)
    assertNoFailures(`${subject.name} warm-up`, await load(subject, 3));
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const results = {};
    for (const subject of orderForRound(subjects, round)) {
      const cpuBefore = readCpuSeconds(subject.handle.pid);
      const run = await load(subject, seconds);
      assertNoFailures(`${subject.name} round ${round + 1}`, run);
      const cpu = ((readCpuSeconds(subject.handle.pid) - cpuBefore) * 1e6) / run.completed;
      results[subject.name] = { rps: run.requestsPerSecond, cpu };
    }
    perRound.push(results);
    const line = Object.entries(results).map(
      ([name, r]) => `${name} ${r.rps.toFixed(0)}/s ${r.cpu.toFixed(0)} µs`,
    );
    process.stderr.write(`round ${round + 1}: ${line.join(' | ')}\n`);
  }
  const ratio = (of, to, key) => format(summarise(perRound.map((r) => r[of][key] / r[to][key])));
  const [first] = subjects;
  for (const subject of subjects.slice(0, -1)) {
    console.log(
      `${subject.name}: req/s ÷ bare yoga ${ratio(subject.name, 'yoga-bare', 'rps')}, CPU/request ÷ bare yoga ${ratio(subject.name, 'yoga-bare', 'cpu')}`,
    );
    if (subject !== first) {
      console.log(
        `  ÷ ${first.name}: req/s ${ratio(subject.name, first.name, 'rps')}, CPU/request ${ratio(subject.name, first.name, 'cpu')}`,
      );
    }
  }
} finally {
  await Promise.all(subjects.map((subject) => subject.handle.stop()));
}

function format(summary) {
  return `${summary.median.toFixed(2)}x (${summary.min.toFixed(2)}x .. ${summary.max.toFixed(2)}x)`;
}

function parseEnv(text) {
  return Object.fromEntries(
    text
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

function parseArguments(argv) {
  const parsed = { rounds: 8, seconds: 3, builds: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') parsed.rounds = Number(argv[++i]);
    else if (argv[i] === '--seconds') parsed.seconds = Number(argv[++i]);
    else parsed.builds.push(argv[i]);
  }
  if (parsed.builds.length === 0 || !(parsed.rounds > 0) || !(parsed.seconds > 0)) {
    process.stderr.write(
      'usage: node bench/tools/ab-builds.mjs [--rounds N] [--seconds S] BUILD[@ENV]...\n',
    );
    process.exit(2);
  }
  return parsed;
}
