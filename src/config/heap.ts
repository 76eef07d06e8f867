import { ConfigError, type Environment, readOptional } from './environment.js';

/**
 * The service's own V8 heap default. V8 sizes the heap for the machine's memory, so a service
 * that answered a burst keeps a heap several times its live set (issue 17: 228–237 MiB RSS with
 * 20,000 warm sessions, of which about 35 MiB were live after a full GC).
 * `--heap-growing-percent=20` lets the old generation grow by 20% after each full GC before the
 * next, instead of V8's factor of up to 4: a growth factor, not a limit, so the heap still grows
 * to whatever the live set needs. V8 reads it at each GC, so setting it at start
 * (v8.setFlagsFromString) works, which `--max-semi-space-size` does not. V8 refuses it in
 * NODE_OPTIONS: an operator sets it on node's command line (which wins) or turns the default
 * off with `V8_HEAP_DEFAULTS=off`.
 *
 * `--semi-space-growth-factor=1` (the young generation kept at its initial size) saved more
 * memory but cost 1.24x–1.41x the CPU per protected request in same-run A/Bs (BENCHMARKS.md),
 * so it is not set.
 */
export const DEFAULT_V8_FLAGS: readonly string[] = Object.freeze(['--heap-growing-percent=20']);

/** The V8 flags heap-defaults.ts applies at start, before any other module of main.ts runs. */
export interface HeapConfig {
  /** DEFAULT_V8_FLAGS, or none with V8_HEAP_DEFAULTS=off. */
  readonly v8Flags: readonly string[];
}

export function readHeap(env: Environment): HeapConfig {
  const raw = readOptional(env, 'V8_HEAP_DEFAULTS') ?? 'on';
  if (raw !== 'on' && raw !== 'off') {
    throw new ConfigError('V8_HEAP_DEFAULTS', 'expected on or off', raw);
  }
  return Object.freeze({ v8Flags: raw === 'on' ? DEFAULT_V8_FLAGS : Object.freeze([]) });
}

/**
 * The name a V8 flag is known by, as V8 matches it: without dashes, `no-` or value, and with
 * `_` read as `-`. `--heap_growing_percent=50` and `--heap-growing-percent` name the same one.
 */
export function v8FlagName(argument: string): string {
  const name = argument.replace(/^-+/, '').split('=')[0] ?? '';
  return name.replace(/_/g, '-').replace(/^no-/, '');
}
