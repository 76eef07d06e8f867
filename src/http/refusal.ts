import { AUTH_ERRORS, type ErrorReason } from '../errors.js';

/** A refusal answered before GraphQL runs: the status, and one error with a registry reason. */
export function refusal(
  ResponseClass: typeof Response,
  status: number,
  reason: ErrorReason,
): Response {
  const { code, message } = AUTH_ERRORS[reason];
  return new ResponseClass(
    JSON.stringify({ errors: [{ message, extensions: { code, reason } }] }),
    { status, headers: { 'content-type': 'application/json; charset=utf-8' } },
  );
}
