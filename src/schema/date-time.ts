import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO 8601 string such as 2026-01-31T12:00:00.000Z.');
  }
  return date;
}

export const DateTime = builder.scalarType('DateTime', {
  description:
    'An instant, as an ISO 8601 string in UTC with milliseconds: 2026-01-31T12:00:00.000Z.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
