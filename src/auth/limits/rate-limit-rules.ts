import type { RateLimitRule } from '../ports/rate-limit-store.js';

/** Per-operation limits; null turns one off. Keys are the client address or the account. */
export interface RateLimitRules {
  readonly loginPerIp: RateLimitRule | null;
  /** Keyed by the normalised email, whether or not the account exists. */
  readonly loginPerAccount: RateLimitRule | null;
  readonly signUpPerIp: RateLimitRule | null;
  readonly reissuePerIp: RateLimitRule | null;
  readonly changePasswordPerIp: RateLimitRule | null;
  readonly changePasswordPerAccount: RateLimitRule | null;
  readonly passwordResetPerIp: RateLimitRule | null;
  /** Keyed by the normalised email, whether or not the account exists, so a 429 tells nothing. */
  readonly passwordResetPerAccount: RateLimitRule | null;
  /** requestEmailVerification and changeEmail, per client address. */
  readonly emailPerIp: RateLimitRule | null;
  /** requestEmailVerification and changeEmail, per account. */
  readonly emailPerAccount: RateLimitRule | null;
  /** Every TOTP and recovery-code attempt (confirmTotp, verifyTotp, verifyRecoveryCode), per account. */
  readonly mfaPerAccount: RateLimitRule | null;
  /** Every start and finish of a passkey ceremony, per client address. */
  readonly passkeyPerIp: RateLimitRule | null;
}
