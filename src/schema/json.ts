import { GraphQLError, valueFromASTUntyped } from 'graphql';
import { builder } from './builder.js';

/** Any JSON value: what WebAuthn's options and credentials are, as the browser's JSON helpers make them. */
export const JsonScalar = builder.scalarType('JSON', {
  description:
    'A JSON value, as is: the WebAuthn options a passkey ceremony starts with ' +
    '(`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` take ' +
    'them) and the credential it ends with (its `toJSON()`).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => {
    const value: unknown = valueFromASTUntyped(ast, variables);
    if (value === undefined) throw new GraphQLError('JSON literal names an unset variable.');
    return value;
  },
});
