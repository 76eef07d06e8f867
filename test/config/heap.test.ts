import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_V8_FLAGS, readHeap, v8FlagName } from '../../src/config/heap.js';
import { loadConfig } from '../../src/config.js';
import { applyHeapDefaults } from '../../src/heap-defaults.js';

describe('readHeap: the V8 heap defaults', () => {
  it('applies the service defaults unless V8_HEAP_DEFAULTS=off', () => {
    expect(readHeap({}).v8Flags).toEqual(DEFAULT_V8_FLAGS);
    expect(readHeap({ V8_HEAP_DEFAULTS: 'on' }).v8Flags).toEqual(DEFAULT_V8_FLAGS);
    expect(readHeap({ V8_HEAP_DEFAULTS: 'off' }).v8Flags).toEqual([]);
    expect(Object.isFrozen(readHeap({}).v8Flags)).toBe(true);
  });

  it('refuses anything but on or off, naming the variable', () => {
    expect(() => readHeap({ V8_HEAP_DEFAULTS: 'no' })).toThrow(/V8_HEAP_DEFAULTS/);
    expect(() => loadConfig({ V8_HEAP_DEFAULTS: 'maybe' })).toThrow(/V8_HEAP_DEFAULTS/);
  });

  it('is what V8 accepts only on the command line, not in NODE_OPTIONS', () => {
    const refused = spawnSync(process.execPath, ['-e', '0'], {
      env: { ...process.env, NODE_OPTIONS: DEFAULT_V8_FLAGS[0] },
      encoding: 'utf8',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('not allowed in NODE_OPTIONS');
  });
});

describe('applyHeapDefaults', () => {
  it("sets each default, unless node's command line names it in any spelling", () => {
    const set: string[] = [];
    applyHeapDefaults(DEFAULT_V8_FLAGS, ['--enable-source-maps'], (flag) => set.push(flag));
    expect(set).toEqual(DEFAULT_V8_FLAGS);
    for (const given of ['--heap-growing-percent=0', '--heap_growing_percent=50']) {
      const none: string[] = [];
      applyHeapDefaults(DEFAULT_V8_FLAGS, [given], (flag) => none.push(flag));
      expect(none).toEqual([]);
    }
  });
});

describe('v8FlagName', () => {
  it('names a flag as V8 matches it: no dashes, value or no- prefix, and _ as -', () => {
    expect(v8FlagName('--heap-growing-percent=20')).toBe('heap-growing-percent');
    expect(v8FlagName('--heap_growing_percent')).toBe('heap-growing-percent');
    expect(v8FlagName('--no-optimize-for-size')).toBe('optimize-for-size');
    expect(v8FlagName('')).toBe('');
  });
});
