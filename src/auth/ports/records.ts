/** Domain records as the store returns them. Times are milliseconds since the Unix epoch. */

export const ROLES = ['USER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  readonly id: string;
  /** Normalised: trimmed and lower-cased. */
  readonly email: string;
  readonly name: string | null;
  /** Argon2id PHC string. Never leaves `auth/`. */
  readonly passwordHash: string;
  readonly roles: readonly Role[];
  readonly createdAt: number;
  /** True once the account proved it controls `email` (a verification or reset link). */
  readonly emailVerified: boolean;
  /** When an operator disabled the account; null while it may log in. */
  readonly disabledAt: number | null;
}

export type NewUser = UserRecord;

/**
 * What keeps a live session from the full API. The session row holds them (the server's
 * truth, read on every request) and its access token states them in a `restrictions` claim.
 */
export const SESSION_RESTRICTIONS = [
  'EMAIL_NOT_VERIFIED',
  'MFA_REQUIRED',
  'MFA_ENROLLMENT_REQUIRED',
] as const;
export type SessionRestriction = (typeof SESSION_RESTRICTIONS)[number];

export const SESSION_REVOCATION_REASONS = [
  'logout',
  'refresh_token_reused',
  'revoked_by_user',
  'revoked_by_admin',
  'password_changed',
  'password_reset',
  'account_disabled',
  'account_deleted',
  'email_change_undone',
  'mfa_reset',
] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

/**
 * A login session and its refresh lineage. Only refresh token ids (`jti`) are kept, never the
 * tokens: the current one, and the one it replaced for the reuse grace interval.
 */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly currentRefreshJti: string;
  readonly previousRefreshJti: string | null;
  /** When the current refresh token was issued; the reuse grace interval counts from here. */
  readonly rotatedAt: number;
  /** How many times the refresh token was rotated. */
  readonly generation: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Sliding: moved forward by each rotation, never past `expiresAt`. */
  readonly idleExpiresAt: number;
  /** Absolute: fixed at login. */
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: SessionRevocationReason | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** Empty for a full session. */
  readonly restrictions: readonly SessionRestriction[];
  /** 1, or 2 once a second factor (or a passkey) was proved in this session. */
  readonly assuranceLevel: AssuranceLevel;
  /** How the session was authenticated, as RFC 8176 names the methods: `pwd`, `otp`, `hwk`. */
  readonly authMethods: readonly AuthMethod[];
  /** The last full authentication or step-up: the tokens' `auth_time`. */
  readonly authTime: number;
  /**
   * While MFA_REQUIRED holds: when the session ends unless it is stepped up (MFA_CHALLENGE_TTL
   * after the restriction began). Its idle expiry never passes it. Null otherwise.
   */
  readonly stepUpDeadline: number | null;
}

export type AssuranceLevel = 1 | 2;

export const AUTH_METHODS = ['pwd', 'otp', 'hwk'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * The `scope` entries of assurance, for a gateway's `@requiresScopes`:
 * - `aal2`: the session proved a second factor (or a passkey);
 * - `no_mfa`: an assurance-1 session that is not asked for one, i.e. its account has no
 *   confirmed factor (confirming one restricts every such session with MFA_REQUIRED, and new
 *   sessions of such an account start with it). Fields that need assurance 2 only when the
 *   account has a factor accept either.
 */
export const ASSURANCE_SCOPES = { aal2: 'aal2', noMfa: 'no_mfa' } as const;

/**
 * A session as auth/ asks the store to open it. The store applies `mfaGate` in the session's
 * own transaction (see gateSession), so a factor confirmed meanwhile is never missed.
 */
export type NewSession = Omit<
  SessionRecord,
  'previousRefreshJti' | 'generation' | 'revokedAt' | 'revokedReason'
> & {
  /** Absent: the session is stored as given (sign-up, tests). */
  readonly mfaGate?: MfaGate | undefined;
};

/** What decides a new session's second-factor restrictions, applied by the store. */
export interface MfaGate {
  /** The `stepUpDeadline` of a session that has to prove a second factor. */
  readonly challengeDeadline: number;
  /** MFA_REQUIRED_ROLES: a holder of one with no confirmed factor must enrol one first. */
  readonly enrollmentRoles: readonly Role[];
}

export type SigningKeyStatus = 'active' | 'retiring' | 'retired';

/** A JSON Web Key as stored: plain members, serialisable as-is. */
export type StoredJwk = Readonly<Record<string, string>>;

export interface SigningKeyRecord {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: string;
  readonly status: SigningKeyStatus;
  readonly publicJwk: StoredJwk;
  readonly privateJwk: StoredJwk;
  readonly createdAt: number;
  /** When the key stopped signing (moved to retiring); null while active or never active. */
  readonly retiringSince: number | null;
  /** When the key was retired: no longer published, no longer verifying. */
  readonly retiredAt: number | null;
}

export const AUTH_EVENT_TYPES = [
  'SIGN_UP',
  'LOGIN_SUCCEEDED',
  'LOGIN_FAILED',
  'REISSUE',
  'REFRESH_TOKEN_REUSED',
  'LOGOUT',
  'SESSION_REVOKED',
  'PASSWORD_CHANGED',
  'PASSWORD_CHANGE_FAILED',
  'RATE_LIMITED',
  'USER_CREATED',
  'ROLES_CHANGED',
  'EMAIL_VERIFICATION_SENT',
  'EMAIL_VERIFIED',
  'PASSWORD_RESET_REQUESTED',
  'PASSWORD_RESET',
  'EMAIL_CHANGE_REQUESTED',
  'EMAIL_CHANGED',
  'USER_DISABLED',
  'USER_ENABLED',
  'USER_DELETED',
  'MFA_ENROLLED',
  'MFA_VERIFIED',
  'MFA_FAILED',
  'MFA_REMOVED',
  'MFA_LOCKED',
  'RECOVERY_CODE_USED',
  'RECOVERY_CODES_REGENERATED',
  'PASSKEY_REGISTERED',
  'PASSKEY_LOGIN',
  'PASSKEY_REJECTED',
  'PASSKEY_REMOVED',
] as const;

export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** Something that happened to an account. Never carries a password or a token, only ids. */
export interface AuthEvent {
  readonly type: AuthEventType;
  readonly at: number;
  /** The account concerned; null when there is none (a failed login for an unknown email). */
  readonly userId: string | null;
  readonly sessionId: string | null;
  /** Who acted, when not the account itself (an admin revoking a user's sessions). */
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /**
   * A short machine-readable qualifier: the reason of LOGIN_FAILED, the scope of LOGOUT, the
   * operation and limit of RATE_LIMITED.
   */
  readonly detail: string | null;
  /** How many sessions the event ended. */
  readonly revokedSessions: number;
}

/** An audit log entry: an event and its position in the log (larger is newer). */
export interface AuditEventRecord extends AuthEvent {
  readonly id: number;
}

/**
 * The record of a session's end, written by the store in the transaction that ends the session
 * and kept after the session (and its user) are gone: what the revocation feed serves.
 */
export interface SessionEndRecord {
  /**
   * The record's place in the order every instance serves: opaque, increasing. A record never
   * commits before one that precedes it becomes readable (see RevocationStore.listAfter).
   */
  readonly position: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly reason: SessionRevocationReason;
  readonly endedAt: number;
  /** The session's idle or absolute expiry, whichever came first, at its end: no token outlives it. */
  readonly sessionExpiresAt: number;
}
