import type { MfaFactorRecord } from '../ports/factor-store.js';
import type { AuthGrant } from '../sessions/grant.js';

/**
 * A new factor, proven (a TOTP confirmation, a passkey registration): its record, the recovery
 * codes (first factor only) and the session's new pair at assurance 2.
 */
export interface MfaConfirmation {
  readonly factor: MfaFactorRecord;
  /** Shown this once; empty for a later factor, whose account keeps its codes. */
  readonly recoveryCodes: readonly string[];
  readonly grant: AuthGrant;
}
