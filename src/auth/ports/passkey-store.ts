import type {
  FactorActivation,
  FactorConfirmationResult,
  MfaFactorRecord,
  NewMfaFactor,
  PasskeyCredential,
} from './factor-store.js';
import type { SessionStepUp, StepUpResult } from './step-up.js';
import type { WriteEvents } from './write-event.js';

/** Passkeys (WebAuthn credentials, stored as PASSKEY factors) and their challenges. */

/** What a challenge was issued for: it is taken only for that. */
export const PASSKEY_PURPOSES = ['registration', 'login', 'verification'] as const;
export type PasskeyPurpose = (typeof PASSKEY_PURPOSES)[number];

export interface PasskeyChallengeRecord {
  readonly id: string;
  readonly purpose: PasskeyPurpose;
  /** The WebAuthn challenge as the options carry it (base64url). */
  readonly challenge: string;
  /** Registration and verification: the session that asked, and its user; null for a login. */
  readonly userId: string | null;
  readonly sessionId: string | null;
  /** Registration: the name the passkey gets. */
  readonly name: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * A passkey to add, and what its registration does as `confirmTotp` does: the session's step-up
 * (assurance 2, `hwk` added), recovery codes for the first factor, the other sessions restricted,
 * a notice. The factor is stored confirmed.
 */
export interface PasskeyRegistration extends FactorActivation {
  readonly factor: NewMfaFactor;
  readonly credential: PasskeyCredential;
  /** The user's passkeys may not exceed this: a registration past it is `too_many`. */
  readonly maxPasskeys: number;
}

export type PasskeyRegistrationResult =
  | FactorConfirmationResult
  | {
      /**
       * - `too_many`: the user has `maxPasskeys` passkeys already;
       * - `duplicate`: this credential id is registered already (to anyone).
       */
      readonly outcome: 'too_many' | 'duplicate';
    };

/**
 * A verified assertion's counter: stored only while the passkey's counter is still `expected`
 * (compare and set), so of two assertions racing from one counter value one is refused.
 */
export interface PasskeyUse {
  readonly factorId: string;
  readonly expectedSignCount: number;
  readonly signCount: number;
  readonly backedUp: boolean;
  readonly now: number;
}

export interface PasskeyStore {
  insertChallenge(challenge: PasskeyChallengeRecord): Promise<void>;
  /**
   * Deletes and returns the challenge with this id and purpose while unexpired at `now`: one
   * statement, so a challenge is taken once. Null when there is none (never issued, taken
   * already, another purpose's, or expired).
   */
  takeChallenge(
    id: string,
    purpose: PasskeyPurpose,
    now: number,
  ): Promise<PasskeyChallengeRecord | null>;
  /** Retention: deletes the challenges that expired before `expiredBefore`; returns how many. */
  purgeExpiredChallenges(expiredBefore: number): Promise<number>;
  /** The confirmed passkey with this credential id, of any user; null when there is none. */
  findByCredentialId(credentialId: string): Promise<MfaFactorRecord | null>;
  /** The user's passkeys (confirmed), oldest first. */
  listByUser(userId: string): Promise<MfaFactorRecord[]>;
  /**
   * One transaction, with `event`: the session live, the limit and the credential id checked,
   * then the passkey stored confirmed and everything `PasskeyRegistration` says. Writes nothing
   * unless `confirmed`.
   */
  register(
    userId: string,
    registration: PasskeyRegistration,
    event?: WriteEvents,
  ): Promise<PasskeyRegistrationResult>;
  /** A login's use: the counter's compare and set and `lastUsedAt`; false when it lost the race. */
  recordUse(use: PasskeyUse): Promise<boolean>;
  /**
   * One transaction, with `event`: the session live, the counter's compare and set (`rejected`
   * when lost), `lastUsedAt`, and the session's step-up. Writes nothing unless `accepted`.
   */
  acceptStepUp(
    userId: string,
    use: PasskeyUse,
    stepUp: SessionStepUp,
    event?: WriteEvents,
  ): Promise<StepUpResult>;
}
