import { createHash, randomBytes } from 'node:crypto';

// Recovery codes: 10 per account, each 120 bits from the CSPRNG, shown once and stored only as
// SHA-256. At least 112 bits of entropy make a fast unsalted hash enough (ASVS 6.5.2): there is
// nothing to guess or to crack offline (2^120 tries), so the slow, salted hashing that
// passwords need would add only cost.
// A code is found by its hash (an index look-up), so no comparison of secrets takes place whose
// timing could leak how much of a guess was right.

export const RECOVERY_CODE_COUNT = 10;

/** RFC 4648 base32 without padding: no 0/1/8/9, so no 0-O or 1-I confusion when typed. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_CHARACTERS = 24; // 24 × 5 bits = 120 bits
const GROUP = 4;

/** One fresh code, in groups of four for reading: `ABCD-EFGH-IJKL-MNOP-QRST-UVWX`. */
export function createRecoveryCode(): string {
  const bytes = randomBytes(CODE_CHARACTERS);
  // 256 is a multiple of 32, so taking each byte modulo 32 keeps every character uniform.
  const characters = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]);
  const groups: string[] = [];
  for (let at = 0; at < CODE_CHARACTERS; at += GROUP) {
    groups.push(characters.slice(at, at + GROUP).join(''));
  }
  return groups.join('-');
}

export function createRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, createRecoveryCode);
}

/**
 * The code as typed, normalised: case, spaces and dashes do not matter. Null when it cannot be
 * a recovery code at all (wrong length or alphabet), which needs no look-up.
 */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== CODE_CHARACTERS) return null;
  for (const character of code) if (!ALPHABET.includes(character)) return null;
  return code;
}

/** What the store keeps of a code: base64url SHA-256 of its normalised form. */
export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(normalised).digest('base64url');
}

/** The hashes of codes as shown to the user. */
export function hashRecoveryCodes(codes: readonly string[]): string[] {
  return codes.map((code) => {
    const normalised = normaliseRecoveryCode(code);
    if (normalised === null) throw new Error('A generated recovery code does not normalise.');
    return hashRecoveryCode(normalised);
  });
}
