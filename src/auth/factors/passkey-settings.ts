/** Passkey (WebAuthn) settings, read by config/webauthn.ts. */
export interface PasskeySettings {
  /** WEBAUTHN_RP_ID: the domain passkeys are bound to (default AUTH_ISSUER's hostname). */
  readonly rpId: string;
  /** WEBAUTHN_RP_NAME: the service's name the browser shows (default MFA_ISSUER_NAME). */
  readonly rpName: string;
  /** WEBAUTHN_ORIGINS: the page origins a passkey ceremony may come from. */
  readonly origins: readonly string[];
  /**
   * ALLOWED_ORIGINS left out of the default WEBAUTHN_ORIGINS because their host is not the RP ID
   * or under it: named in one warning at start-up, with `suggestedRpId`.
   */
  readonly omittedOrigins: readonly string[];
  /** The longest domain the RP ID and the omitted origins' hosts share, when they share one. */
  readonly suggestedRpId: string | null;
}

/** A WebAuthn challenge is good for this long. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** A user may register at most this many passkeys. */
export const MAX_PASSKEYS_PER_USER = 20;

/** Whether `host` is the RP ID or a subdomain of it: the only hosts a passkey of it works on. */
export function isUnderRpId(host: string, rpId: string): boolean {
  return host === rpId || host.endsWith(`.${rpId}`);
}
