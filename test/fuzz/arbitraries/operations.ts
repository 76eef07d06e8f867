import fc from 'fast-check';
import { isObjectType } from 'graphql';
import type { Json } from './graphql-values.js';
import {
  CONTRACT,
  type GeneratedOperation,
  type Part,
  rootType,
  sometimes,
  text,
  type VariableUse,
} from './operation-parts.js';
import { FRAGMENT_NAMES, selectionsOf } from './selections.js';

// Operations built from the published contract, schema.graphql: its fields, arguments and input
// types. Two flavours: well-formed operations, with arguments of the right type (so that the
// resolvers run, on odd strings and edge values), and loose ones, with the mistakes that break
// servers mixed in at every node (unknown names, wrong types, missing selections, fragments
// and their cycles, directives, more operations than one).

function operationsOf(loose: boolean): fc.Arbitrary<GeneratedOperation> {
  const { selectionSet, directivePart } = selectionsOf(loose);
  const operation = fc
    .record({
      kind: sometimes(
        loose,
        fc.constantFrom('query', 'mutation', ''),
        fc.constant('subscription'),
        6,
      ),
      name: fc.option(fc.constantFrom('A', 'B', 'Op')),
      directive: loose ? directivePart : fc.constant(text('')),
      // Well-formed operations sometimes move their selection into a named fragment.
      asFragment: fc.boolean(),
    })
    .chain(({ kind, name, directive, asFragment }) =>
      selectionSet(rootType(kind), 0).map((set) => ({
        kind,
        name: kind === '' ? null : name,
        directive,
        set,
        fragment:
          !loose && asFragment ? `fragment Root on ${rootType(kind).name} ${set.text}` : null,
      })),
    );

  const looseFragments = fc.array(
    fc
      .tuple(
        fc.constantFrom(...FRAGMENT_NAMES),
        fc.constantFrom('Query', 'Mutation', 'User', 'AuthPayload'),
      )
      .chain(([name, on]) => {
        const type = CONTRACT.getType(on);
        if (!isObjectType(type)) throw new Error(`${on} is not an object type`);
        return selectionSet(type, 2).map((set) => ({
          ...set,
          text: `fragment ${name} on ${on} ${set.text}`,
        }));
      }),
    { maxLength: 3 },
  );

  return fc
    .record({
      operations: loose ? fc.array(operation, { minLength: 1, maxLength: 3 }) : fc.tuple(operation),
      fragments: loose ? looseFragments : fc.constant<Part[]>([]),
      operationName: sometimes(loose, fc.constant(null), fc.constantFrom('A', 'B', 'Missing'), 4),
    })
    .map(({ operations, fragments, operationName }): GeneratedOperation => {
      const texts: string[] = [];
      const variables: Record<string, Json> = {};
      for (const op of operations) {
        // A variable used twice (the same argument in two places) is declared once.
        const uses = new Map<string, VariableUse>();
        for (const use of [...op.directive.variables, ...op.set.variables]) {
          if (!uses.has(use.name)) uses.set(use.name, use);
          if (use.value !== undefined) variables[use.name] = use.value;
        }
        const declarations = [...uses.values()].map((use) => `$${use.name}: ${use.type}`);
        const head = declarations.length === 0 ? '' : `(${declarations.join(', ')})`;
        const body = op.fragment === null ? op.set.text : '{ ...Root }';
        texts.push(
          op.kind === '' && head === ''
            ? body
            : `${op.kind || 'query'} ${op.name ?? ''}${head} ${op.directive.text} ${body}`,
        );
        if (op.fragment !== null) texts.push(op.fragment);
      }
      texts.push(...fragments.map((fragment) => fragment.text));
      return {
        query: texts.join('\n'),
        variables,
        operationName: operationName ?? operations[0]?.name ?? null,
      };
    });
}

/** Operations that validate against the contract, so that they execute. */
export const wellFormedOperation: fc.Arbitrary<GeneratedOperation> = operationsOf(false);

/** Operations with mistakes mixed in at every level. */
export const looseOperation: fc.Arbitrary<GeneratedOperation> = operationsOf(true);
