import fc from 'fast-check';

// Strings that break naive code: NUL and other control characters, lone surrogates, bidi marks
// and zero-width characters, combining marks that NFKC folds, and sizes from empty to huge.

const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

const ODD_CHARACTERS = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a',
  '\u202e', // right-to-left override
  '\u2066',
  '\u2069',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\u0301', // combining acute
  '\ufb01', // "fi" ligature, NFKC-folded
  '\u212b', // Angstrom sign
  'İ', // lower-cases to two code points
  '\u{1f600}',
  '\u{10ffff}',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
);

/** A short piece: one odd character, a lone surrogate, or a few ordinary ones. */
const PIECE = fc.oneof(
  { arbitrary: ODD_CHARACTERS, weight: 4 },
  { arbitrary: LONE_SURROGATE, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 3 },
);

/** Strings a client could send where a string is expected, often with odd characters. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.array(PIECE, { maxLength: 12 }).map((pieces) => pieces.join('')), weight: 12 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
  { arbitrary: hugeString(), weight: 1 },
);

/**
 * Sizes around every limit: the name and password caps, the Authorization header's, 64 KiB,
 * and (rarely, since it costs time to build and is refused before it is read) a 2 MiB body.
 */
export function hugeString(): fc.Arbitrary<string> {
  return fc
    .record({
      length: fc.oneof(
        { arbitrary: fc.constantFrom(101, 129, 513, 4097, 70_000), weight: 10 },
        { arbitrary: fc.constant(2_200_000), weight: 1 },
      ),
      filler: fc.constantFrom('a', '\u0000', '\u202e', '\u{1f600}', '\ud800'),
    })
    .map(({ length, filler }) => filler.repeat(Math.ceil(length / filler.length)));
}

/** An email that passes validation, so that sign-up and login run for real. */
export const plausibleEmail: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom(' ', '\u200b', '', 'İ'))
    .map(([name, odd]) => `${odd}${name}@Example.com${odd}`),
);

/** A password inside the 8–128 policy, often with odd characters. */
export const plausiblePassword: fc.Arbitrary<string> = fc
  .array(PIECE, { minLength: 4, maxLength: 30 })
  .map((pieces) => `pw-${pieces.join('')}-${'x'.repeat(8)}`.slice(0, 128));
