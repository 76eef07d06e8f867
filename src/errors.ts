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
} as const;

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

  FORBIDDEN: { code: 'FORBIDDEN', message: 'You do not have the role this field requires.' },
  ORIGIN_NOT_ALLOWED: {
    code: 'FORBIDDEN',
    message: 'Requests from this origin are not allowed (see ALLOWED_ORIGINS).',
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
