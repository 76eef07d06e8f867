/** Longest address SMTP can deliver to (RFC 5321 path limit minus the angle brackets). */
const MAX_EMAIL_LENGTH = 254;

/**
 * A deliberately permissive shape check: one `@`, a non-empty local part, and a dotted domain
 * without spaces. Real verification of an address is a confirmation e-mail, not a regex.
 */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Trims and lower-cases, so `Ada@Example.com ` and `ada@example.com` are one account. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** True when an already-normalised address is short enough and has a plausible shape. */
export function isValidEmail(normalised: string): boolean {
  return normalised.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(normalised);
}
