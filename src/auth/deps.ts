import type { Clock } from '../clock.js';
import type { Role, UserRecord } from './ports/records.js';
import type { Store } from './ports/store.js';
import type { AuthEventSink } from './events/fan-out.js';
import type { KeyRing } from './keys/key-ring.js';
import type { PasswordHasher } from './passwords/passwords.js';
import type { RateLimitRule, RateLimitStore } from './limits/rate-limit.js';
import type { SessionLiveness } from './sessions/session-liveness.js';
import type { TokenSettings } from './tokens/token-types.js';

/** Per-operation limits; null turns one off. Keys are the client address or the account. */
export interface RateLimitRules {
  readonly loginPerIp: RateLimitRule | null;
  /** Keyed by the normalised email, whether or not the account exists. */
  readonly loginPerAccount: RateLimitRule | null;
  readonly signUpPerIp: RateLimitRule | null;
  readonly reissuePerIp: RateLimitRule | null;
  readonly changePasswordPerIp: RateLimitRule | null;
  readonly changePasswordPerAccount: RateLimitRule | null;
}

export interface AuthSettings extends TokenSettings {
  /** Normalised emails that receive the ADMIN role when they sign up. */
  readonly adminEmails: ReadonlySet<string>;
  readonly rateLimits: RateLimitRules;
}

/** Everything the auth functions need, passed explicitly: no singletons. */
export interface AuthDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  readonly rateLimits: RateLimitStore;
  /** Whether an access token's session is still live; read by every protected request. */
  readonly liveness: SessionLiveness;
  readonly events: AuthEventSink;
  readonly settings: AuthSettings;
}

/** Where a request came from; recorded on the sessions it creates. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** The caller behind a verified access token whose session is live. */
export interface Viewer {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly roles: readonly Role[];
}

/** Expiry times are milliseconds since the epoch. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshTokenExpiresAt: number;
}

/** What a successful sign-up, login or reissue hands back. */
export interface AuthGrant {
  readonly tokens: TokenPair;
  readonly user: UserRecord;
  readonly sessionId: string;
}
