import { describe, expect, it } from 'vitest';
import { DEFAULT_V8_FLAGS, readHeap, v8FlagName } from '../../src/config/heap.js';

describe('readHeap: the V8 heap defaults', () => {
  it('applies the service default when NODE_OPTIONS names no heap flag', () => {
    expect(readHeap({}).v8Flags).toEqual(DEFAULT_V8_FLAGS);
    expect(readHeap({ NODE_OPTIONS: '--enable-source-maps' }).v8Flags).toEqual(DEFAULT_V8_FLAGS);
    expect(Object.isFrozen(readHeap({}).v8Flags)).toBe(true);
  });

  it('leaves a flag out when the operator set it in NODE_OPTIONS, in any spelling', () => {
    for (const options of [
      '--heap-growing-percent=50',
      '--enable-source-maps --heap_growing_percent=0',
      '--heap-growing-percent',
    ]) {
      expect(readHeap({ NODE_OPTIONS: options }).v8Flags).toEqual(['--semi-space-growth-factor=1']);
    }
    expect(
      readHeap({ NODE_OPTIONS: '--heap-growing-percent=0 --semi-space-growth-factor=2' }).v8Flags,
    ).toEqual([]);
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
