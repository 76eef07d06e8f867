import { Secret, TOTP } from 'otpauth';

// RFC 6238 as every authenticator app speaks it: HMAC-SHA-1, 6 digits, 30-second steps. The
// arithmetic is otpauth's; this file only fixes the parameters and the acceptance window.

const PERIOD_SECONDS = 30;
/** Steps accepted either side of now: one, so a code typed as it rolls over still works. */
const WINDOW_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block-size key RFC 4226 recommends. */
const SECRET_BYTES = 20;

/** A fresh TOTP secret, base32 (what authenticator apps take). */
export function createTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpOf(secret: string, issuer: string, accountName: string): TOTP {
  return new TOTP({
    issuer,
    label: accountName,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The `otpauth://totp/…` URI naming the issuer and the account, and its QR code as SVG. */
export async function describeTotp(
  secret: string,
  issuer: string,
  accountName: string,
): Promise<{ otpauthUri: string; qrCodeSvg: string }> {
  const otpauthUri = totpOf(secret, issuer, accountName).toString();
  // qrcode (and its PNG encoder) is imported at the first enrolment, not at start-up.
  const QRCode = await import('qrcode');
  const qrCodeSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M' });
  return { otpauthUri, qrCodeSvg };
}

/** Six digits, spaces allowed ("123 456"): anything else is not a TOTP code. */
const CODE = /^\d{6}$/;

/**
 * The time step (RFC 6238's counter) of `code` if it is the code of the current step or of one
 * step either side at `now` (milliseconds); null otherwise. Whether that step was already used
 * is the store's compare-and-set to decide.
 */
export function matchTotpStep(secret: string, code: string, now: number): number | null {
  const token = code.replace(/\s/g, '');
  if (!CODE.test(token)) return null;
  const totp = totpOf(secret, 'x', 'x');
  const delta = totp.validate({ token, timestamp: now, window: WINDOW_STEPS });
  if (delta === null) return null;
  return totp.counter({ timestamp: now }) + delta;
}

/** The code of the step at `now`: what a test's authenticator shows. */
export function totpCodeAt(secret: string, now: number): string {
  return totpOf(secret, 'x', 'x').generate({ timestamp: now });
}
