import fc from 'fast-check';
import {
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import { PASSWORD } from '../../helpers/app.js';
import { oddString, plausibleEmail, plausiblePassword } from './odd-strings.js';

/** A GraphQL input value, printable both as a literal and as a variable's JSON. */
export type InputValue =
  | { readonly kind: 'string'; readonly value: string; readonly form: 'quoted' | 'block' | 'raw' }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'enum'; readonly name: string }
  | { readonly kind: 'list'; readonly items: readonly InputValue[] }
  | { readonly kind: 'object'; readonly fields: readonly (readonly [string, InputValue])[] };

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value as a GraphQL literal; `raw` strings are quoted without escaping (often invalid). */
export function printLiteral(value: InputValue): string {
  switch (value.kind) {
    case 'string':
      if (value.form === 'block') return `"""${value.value}"""`;
      return value.form === 'raw' ? `"${value.value}"` : JSON.stringify(value.value);
    case 'number':
      return value.text;
    case 'boolean':
      return String(value.value);
    case 'null':
      return 'null';
    case 'enum':
      return value.name;
    case 'list':
      return `[${value.items.map(printLiteral).join(', ')}]`;
    case 'object':
      return `{ ${value.fields.map(([name, field]) => `${name}: ${printLiteral(field)}`).join(', ')} }`;
  }
}

/** The value as a variable's JSON (an enum is its name, as GraphQL over HTTP sends it). */
export function toJson(value: InputValue): Json {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
      return Number(value.text);
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'enum':
      return value.name;
    case 'list':
      return value.items.map(toJson);
    case 'object':
      return Object.fromEntries(value.fields.map(([name, field]) => [name, toJson(field)]));
  }
}

const string = (form: 'quoted' | 'block' | 'raw' = 'quoted') =>
  oddString.map((value): InputValue => ({ kind: 'string', value, form }));
const stringOf = (values: fc.Arbitrary<string>) =>
  values.map((value): InputValue => ({ kind: 'string', value, form: 'quoted' }));
const int32 = fc
  .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
  .map((n): InputValue => ({ kind: 'number', text: String(n) }));

/** Values of the right type for named scalars, by name, with field-aware strings. */
function scalarValue(name: string, fieldName: string, loose: boolean): fc.Arbitrary<InputValue> {
  switch (name) {
    case 'Int':
      return fc.oneof(int32, fc.constantFrom(0, 1, 50, 100, 101, -1).map(numberValue));
    case 'Float':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map(numberValue);
    case 'Boolean':
      return fc.boolean().map((value): InputValue => ({ kind: 'boolean', value }));
    case 'ID':
      return fc.oneof(stringOf(fc.uuid()), string(), int32);
    case 'DateTime':
      return fc.oneof(
        stringOf(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
        stringOf(fc.constantFrom('2026-01-01', '2026-13-01T00:00:00.000Z', '0', 'now')),
        string(),
      );
    default:
      // Block strings and unescaped quotes are often not GraphQL: only in loose operations.
      return loose
        ? fc.oneof({ arbitrary: stringFor(fieldName), weight: 4 }, string('block'), string('raw'))
        : stringFor(fieldName);
  }
}

/** Strings that pass validation where the field wants them, so that the operation runs. */
function stringFor(fieldName: string): fc.Arbitrary<InputValue> {
  if (fieldName === 'email') return fc.oneof(stringOf(plausibleEmail), string());
  if (/password/i.test(fieldName)) {
    return fc.oneof(stringOf(fc.constant(PASSWORD)), stringOf(plausiblePassword), string());
  }
  return string();
}

function numberValue(n: number): InputValue {
  return { kind: 'number', text: String(n) };
}

/** Any value at all, of any shape: wrong for most positions. */
export const anyValue: fc.Arbitrary<InputValue> = fc.letrec<{ value: InputValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    string(),
    int32,
    fc
      .constantFrom('99999999999999999999', '1.5', '-0', '1e400', '0x10')
      .map((text): InputValue => ({ kind: 'number', text })),
    fc.boolean().map((value): InputValue => ({ kind: 'boolean', value })),
    fc.constant<InputValue>({ kind: 'null' }),
    fc
      .constantFrom('USER', 'ADMIN', 'ALL', 'NOPE', 'true')
      .map((name): InputValue => ({ kind: 'enum', name })),
    fc.array(tie('value'), { maxLength: 3 }).map((items): InputValue => ({ kind: 'list', items })),
    fc
      .array(fc.tuple(fc.constantFrom('email', 'password', 'x', '__proto__'), tie('value')), {
        maxLength: 3,
      })
      .map((fields): InputValue => ({ kind: 'object', fields })),
  ),
})).value;

/** A list nested `depth` deep around a value: the nesting no schema position expects. */
export const deeplyNestedValue: fc.Arbitrary<InputValue> = fc
  .tuple(fc.integer({ min: 20, max: 400 }), anyValue)
  .map(([depth, inner]) => {
    let value = inner;
    for (let level = 0; level < depth; level++) value = { kind: 'list', items: [value] };
    return value;
  });

/**
 * Values for an argument or input field of `type`: of the right type (so that the operation
 * gets past validation and runs), or, when `loose`, sometimes of any other shape, or nested deep.
 */
export function inputValue(
  type: GraphQLInputType,
  fieldName: string,
  loose: boolean,
): fc.Arbitrary<InputValue> {
  const right = rightValue(type, fieldName, loose);
  if (!loose) return right;
  return fc.oneof(
    { arbitrary: right, weight: 12 },
    { arbitrary: anyValue, weight: 2 },
    { arbitrary: deeplyNestedValue, weight: 1 },
  );
}

function rightValue(
  type: GraphQLInputType,
  fieldName: string,
  loose: boolean,
): fc.Arbitrary<InputValue> {
  if (isNonNullType(type)) return rightValue(type.ofType, fieldName, loose);
  if (isListType(type)) {
    const item = rightValue(type.ofType, fieldName, loose);
    return fc.oneof(
      fc.array(item, { maxLength: 4 }).map((items): InputValue => ({ kind: 'list', items })),
      item,
    );
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((value) => value.name);
    return fc.constantFrom(...names).map((name): InputValue => ({ kind: 'enum', name }));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map((field) => {
      const value = inputValue(field.type, field.name, loose);
      const optional = !isNonNullType(field.type);
      return fc
        .tuple(fc.constant(field.name), optional ? fc.option(value) : value.map((v) => v))
        .map(([name, v]) => (v === null ? null : ([name, v] as const)));
    });
    return fc.tuple(...fields).map(
      (entries): InputValue => ({
        kind: 'object',
        fields: entries.filter((entry) => entry !== null),
      }),
    );
  }
  return scalarValue(type.name, fieldName, loose);
}
