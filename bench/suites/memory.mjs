// 4. Resident memory of the service with many live sessions in its store and its caches warm
// (every session's access token presented once), next to bare yoga after as many requests.
// The "service" subject runs with the default settings (the harness's usual environment, no
// node flags unless --cpu-prof); the heap-capped one is context. RSS is given in MB (10^6
// bytes, the target's unit) and in MiB.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { startBareYoga } from '../lib/peers.mjs';
import { readRss } from '../lib/processes.mjs';
import { seedSessions } from '../lib/seed.mjs';
import { startService } from '../lib/service.mjs';

const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const MiB = 2 ** 20;
const MB = 1e6;
const HEAP_CAP_MIB = 64;

export async function measureMemory(options, workDir) {
  const { liveSessions, connections } = options;
  const dbPath = join(workDir, 'memory.db');
  const seedStart = Date.now();
  const tokens = await seedSessions({
    dbPath,
    count: liveSessions,
    users: Math.max(1, Math.floor(liveSessions / 10)),
    workDir,
  });
  process.stderr.write(
    `  seeded ${tokens.length} sessions in ${((Date.now() - seedStart) / 1000).toFixed(1)} s\n`,
  );
  const bearers = tokens.map((token) => `Bearer ${token}`);

  const warm = (url) =>
    runLoad({
      url,
      body: ME_QUERY,
      headerPool: ['authorization', bearers],
      connections,
      amount: bearers.length,
      verify: (text) => text.startsWith('{"data":{"me":{"id":"'),
    });

  /** Starts the service with `nodeArgs`, presents every token once, and reads its RSS. */
  async function measureService(name, nodeArgs) {
    const service = await startService({ dbPath, name, nodeArgs });
    try {
      const atStart = readRss(service.pid);
      assertNoFailures(`${name} warm-up`, await warm(service.url));
      await sleep(1000);
      return { atStart, warm: readRss(service.pid) };
    } finally {
      await service.stop();
    }
  }

  let bare;
  try {
    const service = await measureService('service', options.serviceNodeArgs);
    // The same with V8's old space capped: what is left is the live set plus Node itself, so
    // the difference is heap V8 keeps because the machine has memory to spare.
    const capped = await measureService('service-heap-capped', [
      `--max-old-space-size=${HEAP_CAP_MIB}`,
    ]);

    bare = await startBareYoga();
    const bareIdle = readRss(bare.pid);
    assertNoFailures('bare yoga warm-up', await warm(bare.url));
    await sleep(1000);
    const bareWarm = readRss(bare.pid);
    const result = {
      liveSessions: tokens.length,
      serviceRssMB: service.warm / MB,
      serviceHeapCappedRssMB: capped.warm / MB,
      yogaBareRssMB: bareWarm / MB,
      serviceRssMiB: service.warm / MiB,
      serviceRssAtStartMiB: service.atStart / MiB,
      heapCapMiB: HEAP_CAP_MIB,
      serviceHeapCappedRssMiB: capped.warm / MiB,
      yogaBareRssMiB: bareWarm / MiB,
      yogaBareRssAtStartMiB: bareIdle / MiB,
      vsYogaBare: service.warm / bareWarm,
    };
    process.stderr.write(
      `  service ${result.serviceRssMB.toFixed(1)} MB = ${result.serviceRssMiB.toFixed(1)} MiB (in MiB: at start ${result.serviceRssAtStartMiB.toFixed(1)}; old space capped at ${HEAP_CAP_MIB} MiB: ${result.serviceHeapCappedRssMiB.toFixed(1)}), bare yoga ${result.yogaBareRssMiB.toFixed(1)} MiB\n`,
    );
    return result;
  } finally {
    await bare?.stop();
  }
}
