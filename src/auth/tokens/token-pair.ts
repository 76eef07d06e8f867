import { randomBytes } from 'node:crypto';
import type { AuthDeps } from '../deps.js';
import type { SessionRecord, UserRecord } from '../ports/records.js';
import { signAccessToken, signRefreshToken } from './sign-token.js';

/** Expiry times are milliseconds since the epoch. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshTokenExpiresAt: number;
}

/** 128 random bits, base64url: unguessable token and session identifiers. */
export function createRandomId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Issues the session's current pair: a fresh access token, and the refresh token that the
 * session's current `jti` stands for. Neither outlives the session's idle or absolute expiry.
 *
 * The refresh token's claims come only from the stored session (its `jti`, `rotatedAt` and
 * `idleExpiresAt`), so asking again returns a token for the same `jti` and claims (the same
 * bytes with EdDSA) rather than forking the lineage.
 */
export async function issueTokenPair(
  deps: AuthDeps,
  session: SessionRecord,
  user: UserRecord,
): Promise<TokenPair> {
  const { keys, settings, clock } = deps;
  const now = toSeconds(clock.now());
  const sessionEnd = toSeconds(Math.min(session.idleExpiresAt, session.expiresAt));
  const accessExpiresAt = Math.min(now + settings.lifetimes.accessTokenTtl, sessionEnd);

  const [accessToken, refreshToken] = await Promise.all([
    signAccessToken(keys, settings, {
      userId: user.id,
      sessionId: session.id,
      tokenId: createRandomId(),
      issuedAt: now,
      expiresAt: accessExpiresAt,
      roles: user.roles,
      emailVerified: user.emailVerified,
      restrictions: session.restrictions,
      assurance: {
        level: session.assuranceLevel,
        methods: session.authMethods,
        authTime: toSeconds(session.authTime),
      },
    }),
    signRefreshToken(keys, settings, {
      userId: user.id,
      sessionId: session.id,
      tokenId: session.currentRefreshJti,
      issuedAt: toSeconds(session.rotatedAt),
      expiresAt: sessionEnd,
    }),
  ]);
  return {
    accessToken,
    refreshToken,
    accessTokenExpiresAt: accessExpiresAt * 1000,
    refreshTokenExpiresAt: sessionEnd * 1000,
  };
}

function toSeconds(milliseconds: number): number {
  return Math.floor(milliseconds / 1000);
}
