// Preload: on SIGUSR2 writes memory figures to $PROBE_OUT.

import { readFileSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  if (process.env.PROBE_GC && globalThis.gc) {
    gc();
    gc();
  }
  const mu = process.memoryUsage();
  const hs = v8.getHeapStatistics();
  const spaces = v8
    .getHeapSpaceStatistics()
    .map(
      (s) =>
        `${s.space_name}: size ${(s.space_size / 2 ** 20).toFixed(1)} used ${(s.space_used_size / 2 ** 20).toFixed(1)}`,
    );
  const MiB = (x) => (x / 2 ** 20).toFixed(1);
  const out = [
    `rss ${MiB(mu.rss)} heapTotal ${MiB(mu.heapTotal)} heapUsed ${MiB(mu.heapUsed)} external ${MiB(mu.external)} arrayBuffers ${MiB(mu.arrayBuffers)}`,
    `total_physical ${MiB(hs.total_physical_size)} malloced ${MiB(hs.malloced_memory)} peak_malloced ${MiB(hs.peak_malloced_memory)} heap_size_limit ${MiB(hs.heap_size_limit)}`,
    ...spaces,
    readFileSync('/proc/self/smaps_rollup', 'utf8'),
  ].join('\n');
  writeFileSync(process.env.PROBE_OUT, out);
});
