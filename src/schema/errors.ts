import { GraphQLError } from 'graphql';
import type { SessionRestriction } from '../auth/ports/records.js';
import {
  AUTH_ERRORS,
  type AuthenticationFailure,
  type AuthFailureValue,
  ERROR_CODES,
  type ForbiddenFailure,
  type InputFailure,
  type RateLimitFailure,
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

/** A live session that may not use this field until it lifts `reason`. */
export function restrictedError(
  reason: SessionRestriction | ForbiddenFailure['forbidden'],
): GraphQLError {
  return new GraphQLError(AUTH_ERRORS[reason].message, {
    extensions: { code: ERROR_CODES.FORBIDDEN, reason },
  });
}

export function inputError({ reason, field }: InputFailure): GraphQLError {
  return new GraphQLError(AUTH_ERRORS[reason].message, {
    extensions: { code: ERROR_CODES.BAD_USER_INPUT, reason, field },
  });
}

/** `extensions: { code: TOO_MANY_REQUESTS, reason: RATE_LIMITED, retryAfter }`, in seconds. */
export function rateLimitError({ reason, retryAfter }: RateLimitFailure): GraphQLError {
  return new GraphQLError(AUTH_ERRORS[reason].message, {
    extensions: { code: ERROR_CODES.TOO_MANY_REQUESTS, reason, retryAfter },
  });
}

/** Returns the value of a successful result, or throws the failure as a public GraphQL error. */
export function unwrap<T>(result: Result<T, AuthFailureValue>): T {
  if (result.ok) return result.value;
  const { failure } = result;
  if (typeof failure === 'string') throw authenticationError(failure);
  if ('forbidden' in failure) throw restrictedError(failure.forbidden);
  throw 'retryAfter' in failure ? rateLimitError(failure) : inputError(failure);
}

/** `extensions: { code: TOO_MANY_REQUESTS, reason: SUBSCRIPTION_LIMIT }`: close a stream first. */
export function subscriptionLimitError(): GraphQLError {
  return new GraphQLError(AUTH_ERRORS.SUBSCRIPTION_LIMIT.message, {
    extensions: { code: ERROR_CODES.TOO_MANY_REQUESTS, reason: 'SUBSCRIPTION_LIMIT' },
  });
}
