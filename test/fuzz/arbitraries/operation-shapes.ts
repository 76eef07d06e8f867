import fc from 'fast-check';
import { oddString } from './odd-strings.js';
import { type GeneratedOperation, plain } from './operation-parts.js';
import { wellFormedOperation } from './operations.js';

/** Shapes built to hit the operation limits: many aliases, chained fragments, deep nesting. */
export const limitOperation: fc.Arbitrary<GeneratedOperation> = fc.oneof(
  fc
    .integer({ min: 10, max: 40 })
    .map((n) => plain(`{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`)),
  fc.integer({ min: 2, max: 40 }).map((n) => {
    const chain = Array.from({ length: n }, (_, i) =>
      i === n - 1
        ? `fragment F${i} on Query { __typename }`
        : `fragment F${i} on Query { __typename ...F${i + 1} }`,
    );
    return plain(`{ ...F0 }\n${chain.join('\n')}`);
  }),
  fc.integer({ min: 2, max: 5 }).map((n) => {
    // A cycle: every fragment spreads the next, and the last the first.
    const cycle = Array.from(
      { length: n },
      (_, i) => `fragment F${i} on Query { ...F${(i + 1) % n} }`,
    );
    return plain(`{ ...F0 }\n${cycle.join('\n')}`);
  }),
  fc
    .integer({ min: 5, max: 300 })
    .map((n) => plain(`{ ${'... on Query { '.repeat(n)}__typename${' }'.repeat(n)} }`)),
  fc.integer({ min: 5, max: 300 }).map((n) => plain(`{ ${'me { '.repeat(n)}id${' }'.repeat(n)} }`)),
  fc.integer({ min: 100, max: 3000 }).map((n) => plain(`{ ${'__typename '.repeat(n)}}`)),
);

/** Text that is mostly not GraphQL: odd strings, and operations with bytes spliced in. */
export const garbledOperation: fc.Arbitrary<GeneratedOperation> = fc.oneof(
  oddString.map(plain),
  fc.tuple(wellFormedOperation, fc.nat(), oddString).map(([operation, at, junk]) => {
    const cut = operation.query.length === 0 ? 0 : at % operation.query.length;
    return {
      ...operation,
      query: operation.query.slice(0, cut) + junk + operation.query.slice(cut),
    };
  }),
);
