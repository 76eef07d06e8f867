import { SignJWT } from 'jose';
import type { KeyRing } from '../keys/key-ring.js';
import type { Role, SessionRestriction } from '../ports/records.js';
import { type Assurance, assuranceClaims, scopeOf } from './assurance-claims.js';
import {
  TOKEN_PROFILES,
  type TokenClaims,
  type TokenSettings,
  type TokenType,
} from './token-types.js';

/**
 * Signs an access token (RFC 9068 profile, `typ: at+jwt`) carrying the user's roles, both as
 * `roles` and as the space-separated `scope` gateways read (`@requiresScopes`).
 */
export function signAccessToken(
  keys: KeyRing,
  settings: TokenSettings,
  claims: AccessTokenClaims,
): Promise<string> {
  // A restricted session's token carries no role, so no gateway's @requiresScopes lets it
  // through, and says why in `restrictions`, which this service and its verifiers refuse.
  const restrictions = claims.restrictions ?? [];
  const restricted = restrictions.length > 0;
  const roles = restricted ? [] : [...claims.roles];
  // Absent: assurance 1 after a password, at issue.
  const assurance = claims.assurance ?? { level: 1, methods: ['pwd'], authTime: claims.issuedAt };
  return signToken(keys, settings, 'access', claims, {
    roles,
    scope: scopeOf(roles, assurance, restrictions),
    ...assuranceClaims(assurance),
    ...(claims.emailVerified === undefined ? {} : { email_verified: claims.emailVerified }),
    ...(restricted ? { restrictions: [...restrictions] } : {}),
  });
}

/** What an access token says besides the common claims. */
export interface AccessTokenClaims extends TokenClaims {
  readonly roles: readonly Role[];
  /** The standard OpenID claim: whether the account proved it controls its address. */
  readonly emailVerified?: boolean | undefined;
  /** None when absent. */
  readonly restrictions?: readonly SessionRestriction[] | undefined;
  /** The session's assurance: `aal`, `amr` and `auth_time`; assurance 1 (`pwd`) when absent. */
  readonly assurance?: Assurance | undefined;
}

/**
 * Signs a refresh token. With the same claims and an Ed25519 key it yields the same token again
 * (deterministic signatures), so a duplicate reissue gets the very same refresh token; with
 * ES256 it gets an equivalent one (same claims and `jti`, another signature).
 */
export function signRefreshToken(
  keys: KeyRing,
  settings: TokenSettings,
  claims: TokenClaims,
): Promise<string> {
  return signToken(keys, settings, 'refresh', claims, {});
}

async function signToken(
  keys: KeyRing,
  settings: TokenSettings,
  type: TokenType,
  claims: TokenClaims,
  extra: Record<string, unknown>,
): Promise<string> {
  const profile = TOKEN_PROFILES[type];
  const key = await keys.signingKey();
  return new SignJWT({ type: profile.type, sid: claims.sessionId, ...extra })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: profile.typ })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.userId)
    .setJti(claims.tokenId)
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresAt)
    .sign(key.privateKey);
}
