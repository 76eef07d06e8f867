import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { Json } from './graphql-values.js';

// The pieces generated operations are made of, and the contract they are made from.

/** The contract as clients see it; the federation directives it uses are not needed here. */
export const CONTRACT: GraphQLSchema = buildSchema(
  readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'),
  { assumeValidSDL: true },
);

/** Text plus the variables it uses: what every generated part of an operation yields. */
export interface Part {
  readonly text: string;
  readonly variables: readonly VariableUse[];
  /** The response key, for keeping a selection set free of conflicting fields. */
  readonly key?: string;
}

export interface VariableUse {
  readonly name: string;
  readonly type: string;
  /** Absent: declared but not sent. */
  readonly value?: Json;
}

/** What a case sends: a document, its variables, and the operation to run. */
export interface GeneratedOperation {
  readonly query: string;
  readonly variables: Record<string, Json>;
  readonly operationName: string | null;
}

export function text(value: string, key?: string): Part {
  return key === undefined ? { text: value, variables: [] } : { text: value, variables: [], key };
}

export function joinParts(parts: readonly Part[], separator: string, key?: string): Part {
  const joined = {
    text: parts.map((part) => part.text).join(separator),
    variables: parts.flatMap((part) => part.variables),
  };
  return key === undefined ? joined : { ...joined, key };
}

export function wrap(part: Part, open: string, close: string): Part {
  return { ...part, text: `${open}${part.text}${close}` };
}

/** Picks `mistake` one time in `oneIn` in loose operations, never in well-formed ones. */
export function sometimes<T>(
  loose: boolean,
  right: fc.Arbitrary<T>,
  mistake: fc.Arbitrary<T>,
  oneIn: number,
): fc.Arbitrary<T> {
  return loose
    ? fc.oneof({ arbitrary: right, weight: oneIn - 1 }, { arbitrary: mistake, weight: 1 })
    : right;
}

export function rootType(kind: string): GraphQLObjectType {
  const type = kind === 'mutation' ? CONTRACT.getMutationType() : CONTRACT.getQueryType();
  if (type == null) throw new Error(`the contract has no ${kind} type`);
  return type;
}

/** A document with no variables. */
export function plain(query: string): GeneratedOperation {
  return { query, variables: {}, operationName: null };
}
