/**
 * The registry of every failure a client can see. Clients branch on `code` and `reason`, which
 * are stable; messages are for humans and may be reworded.
 *
 * `auth/` returns these reasons as values; the GraphQL layer turns them into errors carrying
 * `extensions.code` and `extensions.reason`. Anything not listed here is masked.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  BAD_REQUEST: 'BAD_REQUEST',
  // Set by graphql-yoga, listed so that clients find every code in one place.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/** The reason on a GRAPHQL_VALIDATION_FAILED error from an operation limit (aliases, depth…). */
export const OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED';

export type ErrorCode = keyof typeof ERROR_CODES;

interface ErrorDefinition {
  readonly code: ErrorCode;
  readonly message: string;
}

export const AUTH_ERRORS = {
  // A client reissues on TOKEN_EXPIRED and logs in again on every other UNAUTHENTICATED reason.
  TOKEN_MISSING: {
    code: 'UNAUTHENTICATED',
    message: 'Authentication required: send Authorization: Bearer <token>.',
  },
  TOKEN_INVALID: { code: 'UNAUTHENTICATED', message: 'The token is invalid.' },
  TOKEN_EXPIRED: { code: 'UNAUTHENTICATED', message: 'The token has expired.' },
  TOKEN_TYPE_MISMATCH: {
    code: 'UNAUTHENTICATED',
    message:
      'Wrong token type: send the access token to the API and the refresh token only to reissue.',
  },
  SESSION_REVOKED: { code: 'UNAUTHENTICATED', message: 'The session has ended. Log in again.' },
  REFRESH_TOKEN_REUSED: {
    code: 'UNAUTHENTICATED',
    message: 'This refresh token was already used. The session has been ended; log in again.',
  },
  INVALID_CREDENTIALS: { code: 'UNAUTHENTICATED', message: 'Wrong email or password.' },
  // Only ever after the correct password (or a valid link): nobody else learns of it.
  ACCOUNT_DISABLED: {
    code: 'UNAUTHENTICATED',
    message: 'This account is disabled. Contact the operator of this service.',
  },

  FORBIDDEN: { code: 'FORBIDDEN', message: 'You do not have the role this field requires.' },
  EMAIL_NOT_VERIFIED: {
    code: 'FORBIDDEN',
    message:
      'Verify your email address first: this session reaches only me, logout, requestEmailVerification and changeEmail.',
  },
  MFA_REQUIRED: {
    code: 'FORBIDDEN',
    message:
      'A second factor is required: prove one with verifyTotp, verifyRecoveryCode or a passkey (startPasskeyVerification), then use the new tokens.',
  },
  MFA_ENROLLMENT_REQUIRED: {
    code: 'FORBIDDEN',
    message:
      'Your role requires a second factor: set one up with enrollTotp and confirmTotp first.',
  },
  REAUTHENTICATION_REQUIRED: {
    code: 'FORBIDDEN',
    message:
      'This needs a recent authentication: prove your second factor again (verifyTotp, verifyRecoveryCode or a passkey), then retry.',
  },
  MFA_LOCKED: {
    code: 'FORBIDDEN',
    message:
      'TOTP is locked after too many wrong codes. Use a recovery code, or ask the operator to reset your second factor.',
  },
  ORIGIN_NOT_ALLOWED: {
    code: 'FORBIDDEN',
    message: 'Requests from this origin are not allowed (see ALLOWED_ORIGINS).',
  },
  CSRF_HEADER_REQUIRED: {
    code: 'FORBIDDEN',
    message:
      'Required CSRF header missing: send JSON (Content-Type: application/json), or add an X-GraphQL-Yoga-CSRF header.',
  },

  INVALID_EMAIL: { code: 'BAD_USER_INPUT', message: 'Enter a valid email address.' },
  EMAIL_TAKEN: { code: 'BAD_USER_INPUT', message: 'An account with this email already exists.' },
  PASSWORD_TOO_SHORT: {
    code: 'BAD_USER_INPUT',
    message: 'The password must be at least 8 characters long.',
  },
  PASSWORD_TOO_LONG: {
    code: 'BAD_USER_INPUT',
    message: 'The password must be at most 128 characters long.',
  },
  NAME_TOO_LONG: { code: 'BAD_USER_INPUT', message: 'The name must be at most 100 characters.' },
  WRONG_PASSWORD: { code: 'BAD_USER_INPUT', message: 'The current password is wrong.' },
  INVALID_PAGE_SIZE: { code: 'BAD_USER_INPUT', message: '`first` must be from 1 to 100.' },
  INVALID_CURSOR: {
    code: 'BAD_USER_INPUT',
    message: '`after` must be a cursor this API returned.',
  },
  INVALID_TIME_RANGE: { code: 'BAD_USER_INPUT', message: '`since` must be before `until`.' },
  LINK_INVALID: {
    code: 'BAD_USER_INPUT',
    message: 'This link is not valid: it was already used, or a newer one replaced it.',
  },
  LINK_EXPIRED: { code: 'BAD_USER_INPUT', message: 'This link has expired. Ask for a new one.' },
  INVALID_CODE: {
    code: 'BAD_USER_INPUT',
    message: 'This code is not valid: it is wrong, was already used, or has expired.',
  },
  FACTOR_EXPIRED: {
    code: 'BAD_USER_INPUT',
    message: 'This factor was not confirmed in time. Start again with enrollTotp.',
  },
  FACTOR_NOT_FOUND: {
    code: 'BAD_USER_INPUT',
    message: 'You have no factor with this id waiting to be confirmed.',
  },
  NO_MFA_FACTOR: {
    code: 'BAD_USER_INPUT',
    message: 'This account has no second factor: set one up first.',
  },
  PASSKEY_REJECTED: {
    code: 'BAD_USER_INPUT',
    message:
      'The passkey was not accepted: its challenge is unknown, used or expired, or the response does not verify. Start again.',
  },
  NO_PASSKEY: {
    code: 'BAD_USER_INPUT',
    message: 'This account has no passkey: register one first, or prove another factor.',
  },
  TOO_MANY_PASSKEYS: {
    code: 'BAD_USER_INPUT',
    message: 'This account has the most passkeys allowed (20). Remove one first.',
  },
  PASSWORD_UNCHANGED: {
    code: 'BAD_USER_INPUT',
    message: 'The new password must differ from the current one.',
  },

  // Refused at the HTTP layer, before GraphQL runs.
  REQUEST_TOO_LARGE: {
    code: 'BAD_REQUEST',
    message: 'The request body is larger than this server accepts.',
  },
  LENGTH_REQUIRED: {
    code: 'BAD_REQUEST',
    message: 'Send the request body with a Content-Length header.',
  },
  STREAM_REQUIRED: {
    code: 'BAD_REQUEST',
    message:
      'A subscription is streamed: send Accept: text/event-stream, or use graphql-ws or graphql-sse.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 'BAD_REQUEST',
    message: 'This Content-Type is not read here: send the operation as application/json.',
  },

  // `extensions.retryAfter` says how many seconds to wait.
  RATE_LIMITED: { code: 'TOO_MANY_REQUESTS', message: 'Too many attempts. Try again later.' },
  SUBSCRIPTION_LIMIT: {
    code: 'TOO_MANY_REQUESTS',
    message: 'Too many open subscriptions for this user or address. Close one first.',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorReason = keyof typeof AUTH_ERRORS;

type ReasonWithCode<C extends ErrorCode> = {
  [R in ErrorReason]: (typeof AUTH_ERRORS)[R]['code'] extends C ? R : never;
}[ErrorReason];

/** Why a token, a session or a set of credentials was not accepted. */
export type AuthenticationFailure = ReasonWithCode<'UNAUTHENTICATED'>;

/** Why an input was refused; paired with the input field it concerns. */
export type InputFailureReason = ReasonWithCode<'BAD_USER_INPUT'>;

export interface InputFailure {
  readonly reason: InputFailureReason;
  readonly field: string;
}

/** An operation refused by a rate limit; `retryAfter` is in whole seconds, at least 1. */
export interface RateLimitFailure {
  readonly reason: 'RATE_LIMITED';
  readonly retryAfter: number;
}

/**
 * A live session refused an operation until it proves more: a second factor (MFA_REQUIRED), a
 * recent one (REAUTHENTICATION_REQUIRED), or TOTP is locked (MFA_LOCKED).
 */
export interface ForbiddenFailure {
  readonly forbidden: 'MFA_REQUIRED' | 'REAUTHENTICATION_REQUIRED' | 'MFA_LOCKED';
}

/** Every failure `auth/` returns as a value. */
export type AuthFailureValue =
  | AuthenticationFailure
  | InputFailure
  | RateLimitFailure
  | ForbiddenFailure;
