import type { NewOutboxMail } from './link-records.js';
import type { SessionRecord } from './records.js';
import type { SessionStepUp, StepUpResult } from './step-up.js';
import type { WriteEvents } from './write-event.js';

/** Second factors as stored. Times are milliseconds since the Unix epoch. */

export const MFA_FACTOR_TYPES = ['TOTP', 'PASSKEY'] as const;
export type MfaFactorType = (typeof MFA_FACTOR_TYPES)[number];

export interface MfaFactorRecord {
  readonly id: string;
  readonly userId: string;
  readonly type: MfaFactorType;
  readonly name: string | null;
  /**
   * The TOTP secret, sealed by the secret box (never the plain secret): opaque text that names
   * the key it was sealed with. Null for a passkey.
   */
  readonly sealedSecret: string | null;
  readonly createdAt: number;
  /** Null while pending: not usable until `confirm` proves a code. */
  readonly confirmedAt: number | null;
  /** A pending factor cannot be confirmed from this time on; null once confirmed. */
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  /**
   * The last TOTP time step accepted (RFC 6238's counter): a code of this step or an earlier
   * one is refused, so no code is accepted twice. Null before the first.
   */
  readonly lastStep: number | null;
  /** A passkey's WebAuthn credential id (base64url); null for TOTP. */
  readonly credentialId: string | null;
  /** A passkey's COSE public key (base64url); null for TOTP. */
  readonly publicKey: string | null;
  /** A passkey's last signature counter (0 for authenticators without one); null for TOTP. */
  readonly signCount: number | null;
  /** The transports the passkey's authenticator named at registration; null for TOTP. */
  readonly transports: string[] | null;
  /** Whether the passkey may be synced to other devices, and whether it is (WebAuthn BE, BS). */
  readonly backupEligible: boolean | null;
  readonly backedUp: boolean | null;
}

export type NewMfaFactor = Pick<
  MfaFactorRecord,
  'id' | 'userId' | 'type' | 'name' | 'sealedSecret' | 'createdAt' | 'expiresAt'
>;

/** The WebAuthn credential of a new passkey factor. */
export type PasskeyCredential = {
  readonly [K in
    | 'credentialId'
    | 'publicKey'
    | 'signCount'
    | 'transports'
    | 'backupEligible'
    | 'backedUp']: NonNullable<MfaFactorRecord[K]>;
};

/** An account's second-factor standing. */
export interface MfaStanding {
  readonly confirmedFactors: number;
  readonly recoveryCodesRemaining: number;
  /** Consecutive TOTP failures since the last success. */
  readonly totpFailures: number;
  /** When TOTP was locked (100 consecutive failures); null while it is not. */
  readonly totpLockedAt: number | null;
}

export interface FactorConfirmation {
  readonly factorId: string;
  /** The step of the code that proved it: stored as its `lastStep` (null for a passkey). */
  readonly step: number | null;
  readonly stepUp: SessionStepUp;
  /**
   * SHA-256 hashes (base64url) of fresh recovery codes: stored only when this is the account's
   * first confirmed factor, replacing any left over.
   */
  readonly recoveryCodeHashes: readonly string[];
  /**
   * The account's other live sessions at assurance 1 become restricted with MFA_REQUIRED (an
   * MFA_ENROLLMENT_REQUIRED one swaps it for MFA_REQUIRED), and end at this deadline unless
   * stepped up: their `stepUpDeadline`, their idle expiry capped at it.
   */
  readonly otherSessionsDeadline: number;
  /** The "a second factor was added" notice. */
  readonly notice: NewOutboxMail;
}

/** What a new factor's proof does besides storing it (a passkey's registration does it too). */
export type FactorActivation = Pick<
  FactorConfirmation,
  'stepUp' | 'recoveryCodeHashes' | 'otherSessionsDeadline' | 'notice'
>;

export type FactorConfirmationResult =
  | {
      readonly outcome: 'confirmed';
      readonly factor: MfaFactorRecord;
      readonly session: SessionRecord;
      /** True when the recovery codes were stored (the first factor). */
      readonly recoveryCodesStored: boolean;
      /** The other sessions restricted with MFA_REQUIRED. */
      readonly restrictedSessions: number;
    }
  | {
      /**
       * - `not_found`: no pending factor of the user with this id (or it was confirmed already);
       * - `expired`: pending, past `expiresAt`;
       * - `session_gone`: the session to upgrade is no longer live.
       */
      readonly outcome: 'not_found' | 'expired' | 'session_gone';
    };

export interface TotpAcceptance {
  readonly factorId: string;
  readonly step: number;
  readonly stepUp: SessionStepUp;
}

export interface RecoveryCodeUse {
  readonly userId: string;
  readonly codeHash: string;
  readonly stepUp: SessionStepUp;
  /** The "a recovery code was used" notice; its payload gains `remaining`, the codes left. */
  readonly notice: NewOutboxMail;
}

export interface TotpFailure {
  readonly userId: string;
  readonly now: number;
  /** Consecutive failures at which TOTP is locked. */
  readonly lockAfter: number;
}

export interface TotpFailureResult {
  readonly totpFailures: number;
  /** True when this failure locked TOTP (it reached `lockAfter`). */
  readonly lockedNow: boolean;
}

export interface FactorRemoval {
  readonly userId: string;
  readonly factorId: string;
  readonly now: number;
  /** The "a second factor was removed" notice, queued with the removal. */
  readonly notice?: NewOutboxMail | undefined;
}

/** A sealed secret to re-seal: what key rotation reads and writes back. */
export interface SealedSecretRecord {
  readonly factorId: string;
  readonly sealedSecret: string;
}

/**
 * Second factors, recovery codes and the TOTP failure count. Every method is one statement or
 * one transaction; `event` (or events) commit with the write.
 */
export interface FactorStore {
  /**
   * Stores a pending factor (and `event`), first deleting the user's pending factors, confirmed
   * ones untouched.
   */
  insertPending(factor: NewMfaFactor, event?: WriteEvents): Promise<MfaFactorRecord>;
  findById(id: string): Promise<MfaFactorRecord | null>;
  /** The user's confirmed factors, oldest first. */
  listConfirmed(userId: string): Promise<MfaFactorRecord[]>;
  standing(userId: string): Promise<MfaStanding>;
  /**
   * One transaction: confirms the user's pending factor (while unexpired at `now`), upgrades the
   * session, stores the recovery codes when first, restricts the other sessions, queues the
   * notice and appends `event`. Writes nothing unless the outcome is `confirmed`.
   */
  confirm(
    userId: string,
    confirmation: FactorConfirmation,
    event?: WriteEvents,
  ): Promise<FactorConfirmationResult>;
  /**
   * One transaction: moves the confirmed TOTP factor's `lastStep` to `step` only while it is
   * below it (compare and set in one statement: of two instances accepting the same code, one
   * wins), sets its `lastUsedAt`, clears the TOTP failure count, and upgrades the session; with
   * `event`. Writes nothing unless `accepted`.
   */
  acceptTotp(
    userId: string,
    acceptance: TotpAcceptance,
    event?: WriteEvents,
  ): Promise<StepUpResult>;
  /**
   * One transaction: deletes the user's recovery code with this hash (one statement: of
   * concurrent uses exactly one deletes it), clears the TOTP failure count and lock, upgrades the
   * session, queues the notice with the remaining count and appends `event`. Writes nothing
   * unless `accepted`.
   */
  useRecoveryCode(use: RecoveryCodeUse, event?: WriteEvents): Promise<StepUpResult>;
  /** Counts one TOTP failure in one statement, locking TOTP when the count reaches the cap. */
  recordTotpFailure(failure: TotpFailure, event?: WriteEvents): Promise<TotpFailureResult>;
  /**
   * Replaces every recovery code of the user with these, and queues `notice`, while the user
   * has a confirmed factor; false, writing nothing, otherwise.
   */
  replaceRecoveryCodes(
    userId: string,
    codeHashes: readonly string[],
    event?: WriteEvents,
    notice?: NewOutboxMail,
  ): Promise<boolean>;
  /**
   * Deletes the user's factor (pending or confirmed). When no confirmed factor is left, the
   * recovery codes, the failure count and the lock go too. False, writing nothing, when the user
   * has no factor with this id.
   */
  remove(removal: FactorRemoval, event?: WriteEvents): Promise<boolean>;
  /**
   * The operator's reset: deletes every factor and recovery code of the user, clears the
   * failure count and lock, and revokes the user's live sessions (reason `mfa_reset`, with
   * their revocation records), and queues `notice`; returns how many sessions ended, or null,
   * writing nothing, when the user does not exist.
   */
  resetUser(
    userId: string,
    now: number,
    event?: WriteEvents,
    notice?: NewOutboxMail,
  ): Promise<number | null>;
  /** Retention: deletes pending factors that expired before `expiredBefore`; returns how many. */
  purgeExpiredPending(expiredBefore: number): Promise<number>;
  /** Every sealed secret, for key rotation. */
  listSealedSecrets(): Promise<SealedSecretRecord[]>;
  /** Writes `next` over the factor's secret while it is still `expected`; true when it wrote. */
  replaceSealedSecret(factorId: string, expected: string, next: string): Promise<boolean>;
}
