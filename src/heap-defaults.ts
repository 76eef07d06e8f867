import { setFlagsFromString } from 'node:v8';
import { readHeap, v8FlagName } from './config/heap.js';

// main.ts imports this module first, so that it runs before any other module's code: the young
// generation sizes itself during the start's allocations, and a flag set after them no longer
// keeps it small (see config/heap.ts and BENCHMARKS.md). Like main.ts, it hands the environment
// to a reader in config/ and does not read it itself. A bad V8_HEAP_DEFAULTS applies nothing
// here: loadConfig reports it, as it does every other variable.

try {
  applyHeapDefaults(readHeap(process.env).v8Flags, process.execArgv);
} catch {
  // Reported by loadConfig in main().
}

/** Applies the service's V8 heap defaults, except those named on node's command line. */
export function applyHeapDefaults(
  flags: readonly string[],
  execArgv: readonly string[],
  setFlag: (flag: string) => void = setFlagsFromString,
): void {
  const given = new Set(execArgv.map(v8FlagName));
  for (const flag of flags) {
    if (!given.has(v8FlagName(flag))) setFlag(flag);
  }
}
