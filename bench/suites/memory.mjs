// 4. Resident memory of the service with many live sessions in its store and its caches warm
// (every session's access token presented once), next to bare yoga after as many requests.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { startBareYoga } from '../lib/peers.mjs';
import { readRss } from '../lib/processes.mjs';
import { seedSessions } from '../lib/seed.mjs';
import { startService } from '../lib/service.mjs';

const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const MiB = 2 ** 20;

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

  const service = await startService({ dbPath, nodeArgs: options.serviceNodeArgs });
  let bare;
  try {
    const serviceIdle = readRss(service.pid);
    assertNoFailures('memory warm-up', await warm(service.url));
    await sleep(1000);
    const serviceWarm = readRss(service.pid);
    await service.stop();

    bare = await startBareYoga();
    const bareIdle = readRss(bare.pid);
    assertNoFailures('bare yoga warm-up', await warm(bare.url));
    await sleep(1000);
    const bareWarm = readRss(bare.pid);
    const result = {
      liveSessions: tokens.length,
      serviceRssMiB: serviceWarm / MiB,
      serviceRssAtStartMiB: serviceIdle / MiB,
      yogaBareRssMiB: bareWarm / MiB,
      yogaBareRssAtStartMiB: bareIdle / MiB,
      vsYogaBare: serviceWarm / bareWarm,
    };
    process.stderr.write(
      `  service ${result.serviceRssMiB.toFixed(1)} MiB (at start ${result.serviceRssAtStartMiB.toFixed(1)}), bare yoga ${result.yogaBareRssMiB.toFixed(1)} MiB\n`,
    );
    return result;
  } finally {
    await Promise.all([service.stop(), bare?.stop()]);
  }
}
