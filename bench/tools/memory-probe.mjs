// The memory suite's seeding and warm-up against one entry, then its RSS, CPU ms per request and
// (through memory-probe-preload.mjs) its V8 heap spaces and smaps_rollup. PROBE_GC=1 with
// --expose-gc forces two full GCs first; RUNTIME_FLAGS with --import v8-flags-preload.mjs sets
// V8 flags at start. usage: node bench/tools/memory-probe.mjs SESSIONS ENTRY [nodeArgs...]
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const B = new URL('../lib/', import.meta.url).href;
const { runLoad, assertNoFailures } = await import(`${B}load.mjs`);
const { findFreePort, HOST, startProcess, readRss, waitUntil, readCpuSeconds } = await import(
  `${B}processes.mjs`
);
const { seedSessions } = await import(`${B}seed.mjs`);
const { ROOT, serviceEnv } = await import(`${B}service.mjs`);
const { postGraphQL } = await import(`${B}graphql-client.mjs`);
const [count, entry, ...nodeArgs] = process.argv.slice(2);
const workDir = join(tmpdir(), `memory-probe-${count}`);
const dbPath = join(workDir, 'memory.db');
let tokens;
if (existsSync(join(workDir, `tokens-${count}.txt`)))
  tokens = readFileSync(join(workDir, `tokens-${count}.txt`), 'utf8')
    .trim()
    .split('\n');
else {
  mkdirSync(workDir, { recursive: true });
  tokens = await seedSessions({
    dbPath,
    count: Number(count),
    users: Math.max(1, Math.floor(count / 10)),
    workDir,
  });
}
const port = await findFreePort();
const probeOut = join(tmpdir(), `memory-probe-${process.pid}.txt`);
const env = {
  ...serviceEnv({ port, dbPath }),
  PROBE_OUT: probeOut,
  PROBE_GC: process.env.PROBE_GC ?? '',
  RUNTIME_FLAGS: process.env.RUNTIME_FLAGS ?? '',
};
const h = startProcess(
  'svc',
  [
    '--import',
    fileURLToPath(new URL('./memory-probe-preload.mjs', import.meta.url)),
    ...nodeArgs,
    entry,
  ],
  { cwd: ROOT, env },
);
const url = `http://${HOST}:${port}/graphql`;
await waitUntil(h, async () => (await postGraphQL(url, '{ __typename }')).status === 200);
const atStart = readRss(h.pid) / 2 ** 20;
const t0 = performance.now();
const cpu0 = readCpuSeconds(h.pid);
assertNoFailures(
  'warm',
  await runLoad({
    url,
    body: JSON.stringify({ query: '{ me { id } }' }),
    headerPool: ['authorization', tokens.map((t) => `Bearer ${t}`)],
    connections: 16,
    amount: tokens.length,
    verify: (t) => t.startsWith('{"data":{"me":{"id":"'),
  }),
);
const warmS = (performance.now() - t0) / 1000;
const cpuMsPerReq = ((readCpuSeconds(h.pid) - cpu0) * 1000) / tokens.length;
await sleep(1000);
const warm = readRss(h.pid) / 2 ** 20;
process.kill(h.pid, 'SIGUSR2');
await sleep(300);
console.log(
  `${entry} ${nodeArgs.join(' ')}: at start ${atStart.toFixed(1)} MiB, warm ${warm.toFixed(1)} MiB (warm-up ${warmS.toFixed(1)} s, ${(tokens.length / warmS).toFixed(0)} req/s, ${cpuMsPerReq.toFixed(3)} CPU ms/request)`,
);
console.log(readFileSync(probeOut, 'utf8'));
await h.stop();
