// The live heap after each full GC, read from the service's `--trace-gc` output. The heap in use
// sampled at a random moment swings by tens of MiB between collections; what is left after a
// Mark-Compact is the live set, so a leak shows there as a steady climb.

// [pid:0xISOLATE]   12345 ms: Mark-Compact (reduce) 61.9 (92.6) -> 28.0 (89.1) MB, ...
const LINE =
  /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (\S+)(?: \(reduce\))? [\d.]+ \(([\d.]+)\) -> ([\d.]+) \([\d.]+\) MB/;

/**
 * Follows `stream` (the child's stdout). Argon2 worker threads have isolates of their own, with
 * heaps of a few MiB; the main thread's is told apart as the one with the largest heap reserved.
 * `fullCollections()` lists its Mark-Compacts as `{ t, liveMiB }`, t in seconds since
 * `startedAt()`.
 */
export function followGcTrace(stream, startedAt) {
  const isolates = new Map();
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = LINE.exec(line);
      if (match === null) continue;
      const [, id, kind, reservedBefore, after] = match;
      let isolate = isolates.get(id);
      if (isolate === undefined) {
        isolate = { largestMiB: 0, fullCollections: [] };
        isolates.set(id, isolate);
      }
      isolate.largestMiB = Math.max(isolate.largestMiB, Number(reservedBefore));
      if (kind !== 'Mark-Compact') continue;
      isolate.fullCollections.push({
        t: Math.round((Date.now() - startedAt()) / 100) / 10,
        liveMiB: Number(after),
      });
    }
  });
  function fullCollections() {
    let main = null;
    for (const isolate of isolates.values()) {
      if (main === null || isolate.largestMiB > main.largestMiB) main = isolate;
    }
    return main?.fullCollections ?? [];
  }
  return {
    fullCollections,
    /** The live heap after the main thread's latest full GC, or null before the first. */
    latest: () => fullCollections().at(-1)?.liveMiB ?? null,
  };
}
