import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  getNamedType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { inputValue, type Json, printLiteral, toJson } from './graphql-values.js';
import { joinParts, type Part, sometimes, text, wrap } from './operation-parts.js';

// Selection sets for the contract's object types: fields with their arguments, aliases and
// directives, __typename, inline fragments; in loose ones also unknown names, spreads of
// fragments that may not exist, selections on scalars and missing ones on objects.

const MAX_DEPTH = 5;
export const FRAGMENT_NAMES = ['F0', 'F1', 'F2'];
const WRONG_TYPES = ['String', 'Int!', '[ID!]!', 'Boolean', 'SignUpInput', 'Nope', '[[String]]'];

/** How JSON.stringify writes a lone surrogate, which a GraphQL string literal refuses. */
const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;

let variableCount = 0;

export interface Selections {
  selectionSet(type: GraphQLObjectType, depth: number): fc.Arbitrary<Part>;
  readonly directivePart: fc.Arbitrary<Part>;
}

/** The selection arbitraries of one flavour, memoised by type and depth. */
export function selectionsOf(loose: boolean): Selections {
  const selectionSets = new Map<string, fc.Arbitrary<Part>>();

  function argumentPart(arg: GraphQLArgument): fc.Arbitrary<Part> {
    const value = inputValue(arg.type, arg.name, loose);
    // Named after the argument and numbered, so that two uses never clash by accident.
    const name = `${arg.name}${++variableCount}`;
    const literal = value.map((v): Part => {
      const printed = printLiteral(v);
      // A GraphQL string cannot hold a lone surrogate; well-formed operations send it as JSON.
      if (loose || !LONE_SURROGATE_ESCAPE.test(printed)) return text(`${arg.name}: ${printed}`);
      return {
        text: `${arg.name}: $${name}`,
        variables: [{ name, type: String(arg.type), value: toJson(v) }],
      };
    });
    const variable = fc
      .record({
        type: sometimes(loose, fc.constant(String(arg.type)), fc.constantFrom(...WRONG_TYPES), 5),
        value: sometimes(
          loose,
          value.map((v): Json | undefined => toJson(v)),
          fc.oneof(
            fc.jsonValue().map((v) => v as Json),
            fc.constant(undefined),
          ),
          5,
        ),
      })
      .map(({ type, value: json }) => ({
        text: `${arg.name}: $${name}`,
        variables: [json === undefined ? { name, type } : { name, type, value: json }],
      }));
    return fc.oneof(literal, variable);
  }

  function argumentsPart(field: GraphQLField<unknown, unknown>): fc.Arbitrary<Part> {
    const each = field.args.map((arg) => {
      const part = argumentPart(arg);
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      return required
        ? sometimes(loose, part, fc.constant(null), 10)
        : fc.option(part, { freq: 3 });
    });
    const unknown = sometimes(
      loose,
      fc.constant(null),
      fc.constantFrom('nope: 1', 'input: {}', 'id: null').map((t) => text(t)),
      10,
    );
    return fc.tuple(unknown, ...each).map((parts) => {
      const present = parts.filter((part): part is Part => part !== null);
      return present.length === 0 ? text('') : wrap(joinParts(present, ', '), '(', ')');
    });
  }

  const directivePart: fc.Arbitrary<Part> = fc.oneof(
    { arbitrary: fc.constant(text('')), weight: 12 },
    fc.constantFrom('@include(if: true)', '@skip(if: false)').map((t) => text(t)),
    sometimes(
      loose,
      fc.constant(text('@include(if: true)')),
      fc.oneof(
        fc.constantFrom('@skip', '@nope', '@include(if: "x")').map((t) => text(t)),
        fc.integer({ min: 2, max: 30 }).map((n) => text(' @include(if: true)'.repeat(n))),
      ),
      2,
    ),
  );

  const alias = sometimes(
    loose,
    fc.oneof(
      { arbitrary: fc.constant(''), weight: 6 },
      fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,6}$/),
    ),
    fc.constantFrom('__typename', '__proto__', 'constructor'),
    6,
  );

  function selectionSet(type: GraphQLObjectType, depth: number): fc.Arbitrary<Part> {
    const memo = `${type.name}/${depth}`;
    let found = selectionSets.get(memo);
    if (found === undefined) {
      // Well-formed sets never ask for one response key twice, so no two fields conflict.
      const items = loose
        ? fc.array(selection(type, depth), { minLength: 1, maxLength: 4 })
        : fc.uniqueArray(selection(type, depth), {
            minLength: 1,
            maxLength: 4,
            selector: (part) => part.key ?? part.text,
          });
      found = items.map((parts) => wrap(joinParts(parts, ' '), '{ ', ' }'));
      selectionSets.set(memo, found);
    }
    return found;
  }

  function selection(type: GraphQLObjectType, depth: number): fc.Arbitrary<Part> {
    const fields = Object.values(type.getFields()).map((field) => fieldPart(field, depth));
    const extras: fc.Arbitrary<Part>[] = [fc.constant(text('__typename', '__typename'))];
    if (depth < MAX_DEPTH) {
      const on = sometimes(
        loose,
        fc.constant(type.name),
        fc.constantFrom('User', 'Query', 'Nope'),
        3,
      );
      extras.push(
        fc.tuple(on, selectionSet(type, depth + 1)).map(([name, set]) => ({
          ...set,
          text: `... on ${name} ${set.text}`,
          key: `...${set.text}`,
        })),
      );
    }
    if (loose) {
      extras.push(
        fc.constantFrom('nope', 'passwordHash', '__schema { types { name } }').map((t) => text(t)),
        fc.constantFrom(...FRAGMENT_NAMES).map((name) => text(`...${name}`)),
      );
    }
    return fc.oneof(
      { arbitrary: fc.oneof(...fields), weight: 5 },
      { arbitrary: fc.oneof(...extras), weight: 1 },
    );
  }

  function fieldPart(field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<Part> {
    const named = getNamedType(field.type);
    let subselection: fc.Arbitrary<Part>;
    if (isObjectType(named)) {
      const set =
        depth < MAX_DEPTH ? selectionSet(named, depth + 1) : fc.constant(text('{ __typename }'));
      subselection = sometimes(loose, set, fc.constant(text('')), 10);
    } else {
      subselection = sometimes(loose, fc.constant(text('')), fc.constant(text('{ id }')), 10);
    }
    return fc
      .tuple(alias, argumentsPart(field), directivePart, subselection)
      .map(([name, args, directive, sub]) =>
        joinParts(
          [text(name === '' ? field.name : `${name}: ${field.name}`), args, directive, sub],
          ' ',
          name === '' ? field.name : name,
        ),
      );
  }
  return { selectionSet, directivePart };
}
