import { SignJWT } from 'jose';
import type { Role } from '../db/records.js';
import type { KeyRing } from './signing-keys.js';
import {
  TOKEN_PROFILES,
  type TokenClaims,
  type TokenSettings,
  type TokenType,
} from './token-types.js';

/**
 * Signs an access token (RFC 9068 profile, `typ: at+jwt`) carrying the user's roles.
 */
export function signAccessToken(
  keys: KeyRing,
  settings: TokenSettings,
  claims: TokenClaims & { readonly roles: readonly Role[] },
): Promise<string> {
  return signToken(keys, settings, 'access', claims, { roles: [...claims.roles] });
}

/**
 * Signs a refresh token. With the same claims it yields the same token again (Ed25519
 * signatures are deterministic), which is how a duplicate reissue gets the same refresh token.
 */
export function signRefreshToken(
  keys: KeyRing,
  settings: TokenSettings,
  claims: TokenClaims,
): Promise<string> {
  return signToken(keys, settings, 'refresh', claims, {});
}

function signToken(
  keys: KeyRing,
  settings: TokenSettings,
  type: TokenType,
  claims: TokenClaims,
  extra: Record<string, unknown>,
): Promise<string> {
  const profile = TOKEN_PROFILES[type];
  return new SignJWT({ type: profile.type, sid: claims.sessionId, ...extra })
    .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid, typ: profile.typ })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.userId)
    .setJti(claims.tokenId)
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresAt)
    .sign(keys.signing.privateKey);
}
