import fc from 'fast-check';
import type { Json } from './graphql-values.js';

// Mutations of a real session's tokens, as plain data so that a recorded case replays against
// the fresh keys and sessions of a later run. Applying them may re-sign with the app's own key,
// so that the claim checks, not only the signature check, are what must refuse the token.

export type Segment = 0 | 1 | 2;
export type TokenSource = 'user-access' | 'user-refresh' | 'admin-access' | 'admin-refresh';

export type TokenMutation =
  | { readonly kind: 'flip-bit'; readonly segment: Segment; readonly bit: number }
  | { readonly kind: 'replace-character'; readonly at: number; readonly character: string }
  | { readonly kind: 'swap-segments'; readonly first: Segment; readonly second: Segment }
  | { readonly kind: 'drop-segment'; readonly segment: Segment }
  | { readonly kind: 'repeat-segment'; readonly segment: Segment }
  | { readonly kind: 'truncate'; readonly keepPerMille: number }
  | { readonly kind: 'splice'; readonly segment: Segment; readonly from: TokenSource }
  | {
      readonly kind: 'change-claim-type';
      readonly part: 'header' | 'payload';
      readonly claim: string;
      readonly value: Json;
      readonly resign: boolean;
    };

export type TokenCase =
  | {
      readonly kind: 'mutated';
      readonly source: TokenSource;
      readonly mutations: readonly TokenMutation[];
      readonly operation: number;
    }
  | {
      readonly kind: 'random';
      readonly header: Json;
      readonly payload: Json;
      readonly signature: 'ours' | 'garbage' | 'empty';
      readonly operation: number;
    };

/** What a mutation needs from the running app: the other real tokens, and its signing key. */
export interface TokenWorkshop {
  token(source: TokenSource): string;
  sign(signingInput: string): Promise<string>;
}

const HEADER_CLAIMS = ['alg', 'kid', 'typ'];
const PAYLOAD_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'type', 'roles', 'scope'];
const SOURCES: readonly TokenSource[] = [
  'user-access',
  'user-refresh',
  'admin-access',
  'admin-refresh',
];
const segment = fc.constantFrom<Segment>(0, 1, 2);
const json = fc.jsonValue().map((value) => value as Json);

/** A value meant to replace a claim; `retype` makes sure its JSON type differs. */
const replacement: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    0,
    -1,
    1e308,
    '',
    '1767225600',
    ['USER', 'ADMIN'],
    'ADMIN',
    {},
    [[]],
  ),
  json,
);

const claimChange = fc.oneof(
  fc.record({
    kind: fc.constant('change-claim-type' as const),
    part: fc.constant('header' as const),
    claim: fc.constantFrom(...HEADER_CLAIMS),
    value: replacement,
    resign: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('change-claim-type' as const),
    part: fc.constant('payload' as const),
    claim: fc.constantFrom(...PAYLOAD_CLAIMS),
    value: replacement,
    resign: fc.constantFrom(true, true, false),
  }),
);

export const tokenMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('flip-bit' as const), segment, bit: fc.nat() }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('replace-character' as const),
      at: fc.nat(),
      character: fc.constantFrom('A', 'a', '-', '_', '0', '.', '=', '+', '/', '~', ' ', '\t'),
    }),
    weight: 2,
  },
  fc.record({ kind: fc.constant('swap-segments' as const), first: segment, second: segment }),
  fc.record({ kind: fc.constant('drop-segment' as const), segment }),
  fc.record({ kind: fc.constant('repeat-segment' as const), segment }),
  fc.record({
    kind: fc.constant('truncate' as const),
    keepPerMille: fc.integer({ min: 0, max: 999 }),
  }),
  fc.record({ kind: fc.constant('splice' as const), segment, from: fc.constantFrom(...SOURCES) }),
  { arbitrary: claimChange, weight: 4 },
);

export function tokenCase(operations: number): fc.Arbitrary<TokenCase> {
  const operation = fc.nat({ max: operations - 1 });
  return fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('mutated' as const),
        source: fc.constantFrom(...SOURCES),
        mutations: fc.array(tokenMutation, { minLength: 1, maxLength: 4 }),
        operation,
      }),
      weight: 9,
    },
    fc.record({
      kind: fc.constant('random' as const),
      header: fc.oneof(
        json,
        fc.record({ alg: json, kid: json, typ: fc.constantFrom<Json>('at+jwt', 'rt+jwt') }),
      ),
      payload: json,
      signature: fc.constantFrom('ours' as const, 'garbage' as const, 'empty' as const),
      operation,
    }),
  );
}
