import { failure, type Result, success } from '../../result.js';

/** Far above any token we issue (about 600 bytes); bounds the work a hostile header can cause. */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 4096;

// RFC 6750 §2.1: the scheme is case-insensitive; the token is base64url-ish characters.
const BEARER = /^Bearer(?:[ \t]+(\S*))?[ \t]*$/i;
const TOKEN_CHARACTERS = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Extracts the token from an `Authorization: Bearer <token>` header value.
 * Fails with TOKEN_MISSING when there is no token at all, TOKEN_INVALID when the header is
 * present but is not a well-formed bearer credential.
 */
export function readBearerToken(
  header: string | null,
): Result<string, 'TOKEN_MISSING' | 'TOKEN_INVALID'> {
  if (header === null || header.trim() === '') return failure('TOKEN_MISSING');
  if (header.length > MAX_AUTHORIZATION_HEADER_LENGTH) return failure('TOKEN_INVALID');
  const match = BEARER.exec(header.trim());
  if (match === null) return failure('TOKEN_INVALID');
  const token = match[1] ?? '';
  if (token === '') return failure('TOKEN_MISSING');
  return TOKEN_CHARACTERS.test(token) ? success(token) : failure('TOKEN_INVALID');
}
