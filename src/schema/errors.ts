import { GraphQLError } from 'graphql';
import {
  AUTH_ERRORS,
  type AuthenticationFailure,
  ERROR_CODES,
  type InputFailure,
} from '../errors.js';
import type { Result } from '../result.js';

/** `extensions: { code: UNAUTHENTICATED, reason }`: the client reissues or logs in again on it. */
export function authenticationError(reason: AuthenticationFailure): GraphQLError {
  return new GraphQLError(AUTH_ERRORS[reason].message, {
    extensions: { code: ERROR_CODES.UNAUTHENTICATED, reason },
  });
}

/** A valid access token whose user lacks the role the field needs. */
export function forbiddenError(): GraphQLError {
  return new GraphQLError(AUTH_ERRORS.FORBIDDEN.message, {
    extensions: { code: ERROR_CODES.FORBIDDEN },
  });
}

export function inputError({ reason, field }: InputFailure): GraphQLError {
  return new GraphQLError(AUTH_ERRORS[reason].message, {
    extensions: { code: ERROR_CODES.BAD_USER_INPUT, reason, field },
  });
}

/** Returns the value of a successful result, or throws the failure as a public GraphQL error. */
export function unwrap<T>(result: Result<T, AuthenticationFailure | InputFailure>): T {
  if (result.ok) return result.value;
  const { failure } = result;
  throw typeof failure === 'string' ? authenticationError(failure) : inputError(failure);
}
