import { describe, expect, it } from 'vitest';
import { type CborValue, encodeCbor } from './cbor.js';

// Examples from RFC 8949, Appendix A, for each form the encoder writes.
const EXAMPLES: [string, CborValue, string][] = [
  ['0', 0, '00'],
  ['23, the last one-byte integer', 23, '17'],
  ['24, the first with a one-byte argument', 24, '1818'],
  ['1000, a two-byte argument', 1000, '1903e8'],
  ['1000000, a four-byte argument', 1000000, '1a000f4240'],
  ['1000000000000, an eight-byte argument', 1000000000000, '1b000000e8d4a51000'],
  ['-1', -1, '20'],
  ['-100', -100, '3863'],
  ['-1000', -1000, '3903e7'],
  ['an empty text string', '', '60'],
  ['"IETF"', 'IETF', '6449455446'],
  ['"ü", counted in UTF-8 bytes', 'ü', '62c3bc'],
  ['an empty byte string', new Uint8Array(), '40'],
  ["h'01020304'", Uint8Array.of(1, 2, 3, 4), '4401020304'],
  ['an empty map', new Map(), 'a0'],
  [
    '{1: 2, 3: 4}',
    new Map([
      [1, 2],
      [3, 4],
    ]),
    'a201020304',
  ],
  [
    '{"a": 1, "b": {}}',
    new Map<string, CborValue>([
      ['a', 1],
      ['b', new Map()],
    ]),
    'a26161016162a0',
  ],
];

describe('encodeCbor', () => {
  it.each(EXAMPLES)('encodes %s', (_name, value, hex) => {
    expect(Buffer.from(encodeCbor(value)).toString('hex')).toBe(hex);
  });

  it('refuses what is not a safe integer', () => {
    expect(() => encodeCbor(1.5)).toThrow(RangeError);
    expect(() => encodeCbor(2 ** 53)).toThrow(RangeError);
  });
});
