/**
 * Seals secrets the service must be able to read back (TOTP secrets) so that a copy of the
 * database alone reveals none of them. Implementations encrypt with AES-256-GCM under a key
 * ring: the first key seals, every key opens.
 */
export interface SecretBox {
  /**
   * Seals `plain`, bound to `context` (the factor's id): the result opens only with the same
   * context, so a sealed value copied onto another factor's row is refused. Opaque text that
   * names the key it was sealed with.
   */
  seal(plain: string, context: string): string;
  /** Opens what `seal` returned; throws SecretBoxError when no key of the ring opens it. */
  open(sealed: string, context: string): string;
  /** True when `sealed` was sealed with the ring's first key: rotation re-seals the others. */
  isSealedWithCurrentKey(sealed: string): boolean;
  /**
   * A keyed digest of `data` for `purpose` (HMAC-SHA-256 under a key derived from the ring's
   * first key for that purpose): the same input gives the same bytes until the key rotates, and
   * nobody without the key can compute or predict them.
   */
  digest(purpose: string, data: string): Buffer;
}

/** A sealed value that cannot be opened: unknown key, tampered text, or another context. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}
