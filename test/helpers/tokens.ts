import type { TokenSettings } from '../../src/auth/tokens/token-types.js';

/** Token settings for tests that sign and verify tokens without a whole app. */
export const TOKEN_SETTINGS: TokenSettings = {
  issuer: 'https://auth.example.com',
  audience: 'https://api.example.com',
  lifetimes: {
    accessTokenTtl: 900,
    refreshTokenTtl: 86_400,
    sessionMaxAge: 86_400,
    refreshReuseInterval: 10,
  },
};

/** The claims of user-1's token `jti-1` in session-1, issued at `now` (seconds), lasting 15 min. */
export function tokenClaims(now: number) {
  return {
    userId: 'user-1',
    sessionId: 'session-1',
    tokenId: 'jti-1',
    issuedAt: now,
    expiresAt: now + 900,
  };
}
