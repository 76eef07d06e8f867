import type { Role, SessionRestriction } from '../ports/records.js';
import type { Assurance } from './assurance-claims.js';

/**
 * The two token types. The `type` claim is what the service reads to tell them apart (the
 * header `typ` says the same thing in the form RFC 8725 §3.11 asks for), and both are
 * checked, so a token of one type can never pass as the other.
 */
export const TOKEN_PROFILES = {
  access: { typ: 'at+jwt', type: 'access' },
  refresh: { typ: 'rt+jwt', type: 'refresh' },
} as const;

export type TokenType = keyof typeof TOKEN_PROFILES;

/** Token and session lifetimes, all in whole seconds. */
export interface TokenLifetimes {
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly sessionMaxAge: number;
  readonly refreshReuseInterval: number;
}

/** Where tokens come from and for whom: the `iss` and `aud` every token carries and must match. */
export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly lifetimes: TokenLifetimes;
}

/** Leeway for clocks that disagree slightly between the service and its verifiers. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** What a token asserts once its signature and claims have been verified. Times are in seconds. */
export interface VerifiedToken {
  readonly type: TokenType;
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Roles granted when an access token was issued; empty for a refresh token. */
  readonly roles: readonly Role[];
  /** What the access token's session could not do when it was issued; empty for a full one. */
  readonly restrictions: readonly SessionRestriction[];
  /** `aal`, `amr` and `auth_time`: level 1, `pwd`, `iat` for a refresh token. */
  readonly assurance: Assurance;
}

/** The claims a token is signed with. Times are in seconds since the epoch. */
export interface TokenClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export function lifetimeOf(type: TokenType, lifetimes: TokenLifetimes): number {
  return type === 'access' ? lifetimes.accessTokenTtl : lifetimes.refreshTokenTtl;
}
