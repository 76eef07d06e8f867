import type { Role } from '../ports/records.js';
import type { PasskeySettings } from './passkey-settings.js';

/** Second-factor settings; durations are whole seconds. */
export interface MfaSettings {
  /** MFA_ISSUER_NAME: the issuer authenticator apps show (default AUTH_ISSUER's host). */
  readonly issuerName: string;
  /** MFA_CHALLENGE_TTL: how long a session asked for a second factor lives without one. */
  readonly challengeTtl: number;
  /** REAUTH_MAX_AGE: how recent `auth_time` must be for removing a factor or new codes. */
  readonly reauthMaxAge: number;
  /** MFA_REQUIRED_ROLES: holders of these roles must enrol a factor before anything else. */
  readonly requiredRoles: readonly Role[];
  /** WEBAUTHN_*: the relying party passkeys are bound to, and the origins they may come from. */
  readonly passkeys: PasskeySettings;
}

/** A pending TOTP factor must be confirmed within this. */
export const PENDING_FACTOR_TTL_MS = 15 * 60 * 1000;

/** Consecutive TOTP failures that lock TOTP for the account (NIST SP 800-63B §5.2.2). */
export const TOTP_LOCK_AFTER_FAILURES = 100;
