import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { AUTH_ERRORS, ERROR_CODES, OPERATION_LIMIT_EXCEEDED } from '../errors.js';

/**
 * Operation limits, applied during validation, before anything executes. Sized so that every
 * documented operation passes with room to spare; a request over a limit gets a 400 naming it.
 */
export const OPERATION_LIMITS = {
  maxAliases: 15,
  maxDepth: 10,
  maxTokens: 2_000,
  maxDirectives: 20,
  maxCost: 10_000,
} as const;

/** Headers that mark a request as sent by script, for requests that are not JSON. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];

/** Armor's refusals carry no code; give them the one other validation errors have. */
const tagRefusal = { onReject: [(_context: unknown, error: GraphQLError) => tag(error)] };

function tag(error: GraphQLError): void {
  Object.assign(error.extensions, {
    code: ERROR_CODES.GRAPHQL_VALIDATION_FAILED,
    reason: OPERATION_LIMIT_EXCEEDED,
  });
}

export function graphqlHardening({ isProduction }: { isProduction: boolean }): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxAliases: { n: OPERATION_LIMITS.maxAliases, ...tagRefusal },
      maxDepth: { n: OPERATION_LIMITS.maxDepth, ...tagRefusal },
      maxTokens: { n: OPERATION_LIMITS.maxTokens },
      maxDirectives: { n: OPERATION_LIMITS.maxDirectives, ...tagRefusal },
      costLimit: { maxCost: OPERATION_LIMITS.maxCost, ...tagRefusal },
      // "Did you mean …?" maps a schema for whoever asks; development keeps the help.
      blockFieldSuggestion: { enabled: isProduction },
    }),
    // A form post or a simple GET cannot carry a custom header without a CORS preflight.
    withCodedCsrfRefusal(useCSRFPrevention({ requestHeaders: CSRF_HEADERS })),
    useValidationThatAnswers(),
  ];
  if (isProduction) plugins.push(useNoIntrospection());
  return plugins;
}

/** Production answers `__schema` and `__type` with a validation error; `__typename` still works. */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Yoga's CSRF refusal (403) carries no code: answer it as FORBIDDEN / CSRF_HEADER_REQUIRED. The
 * check itself stays yoga's; its hook throws synchronously.
 */
function withCodedCsrfRefusal(csrf: Plugin): Plugin {
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw createGraphQLError(AUTH_ERRORS.CSRF_HEADER_REQUIRED.message, {
          extensions: {
            code: AUTH_ERRORS.CSRF_HEADER_REQUIRED.code,
            reason: 'CSRF_HEADER_REQUIRED',
            http: { status: 403 },
          },
        });
      }
    },
  };
}

/**
 * graphql-js's validation can throw instead of reporting: the single-field rule for a
 * subscription evaluates `@skip` / `@include`, and a directive without its `if` throws from
 * there. Thrown, the error reaches the client with no code; returned, it is a validation error
 * like any other (400-class, GRAPHQL_VALIDATION_FAILED). Found by the fuzz suite.
 */
function useValidationThatAnswers(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      });
    },
  };
}
