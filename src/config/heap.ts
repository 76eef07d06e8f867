import { type Environment, readOptional } from './environment.js';

/**
 * The service's own V8 heap defaults. V8 sizes the heap for the machine's memory, so a service
 * that answered a burst keeps a heap several times its live set (issue 17: 228–237 MiB RSS with
 * 20,000 warm sessions, of which about 35 MiB were live after a full GC). With these:
 * - `--heap-growing-percent=20`: after each full GC the old generation may grow by 20% before
 *   the next, instead of V8's factor of up to 4 (a growth factor, not a limit: the heap still
 *   grows to whatever the live set needs);
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial size instead of
 *   doubling up to 2 × 16 MiB.
 * Both are read by V8 at each GC, so setting them at start (v8.setFlagsFromString) works, which
 * `--max-semi-space-size` does not. Measured: 116 MiB instead of 237, with the same CPU time per
 * request (see PERF-NOTES.md).
 */
export const DEFAULT_V8_FLAGS: readonly string[] = Object.freeze([
  '--heap-growing-percent=20',
  '--semi-space-growth-factor=1',
]);

/** The V8 flags heap-defaults.ts applies at start, before any other module of main.ts runs. */
export interface HeapConfig {
  /** The defaults NODE_OPTIONS does not name: a flag the operator set there wins. */
  readonly v8Flags: readonly string[];
}

export function readHeap(env: Environment): HeapConfig {
  const named = new Set((readOptional(env, 'NODE_OPTIONS') ?? '').split(/\s+/).map(v8FlagName));
  return Object.freeze({
    v8Flags: Object.freeze(DEFAULT_V8_FLAGS.filter((flag) => !named.has(v8FlagName(flag)))),
  });
}

/**
 * The name a V8 flag is known by, as V8 matches it: without dashes, `no-` or value, and with
 * `_` read as `-`. `--heap_growing_percent=50` and `--heap-growing-percent` name the same one.
 */
export function v8FlagName(argument: string): string {
  const name = argument.replace(/^-+/, '').split('=')[0] ?? '';
  return name.replace(/_/g, '-').replace(/^no-/, '');
}
