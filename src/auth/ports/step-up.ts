import type { AuthMethod, SessionRecord } from './records.js';

// A session's step-up to assurance 2, shared by the stores that accept a proof of a second
// factor: TOTP and recovery codes (./factor-store.ts), passkeys (./passkey-store.ts).

/**
 * How the session that proved a factor is upgraded, in the transaction that accepts the proof:
 * it reaches assurance 2 with these methods, `authTime` = `now`, loses MFA_REQUIRED and
 * MFA_ENROLLMENT_REQUIRED (and its step-up deadline, its idle expiry moving to `idleExpiresAt`,
 * capped at the absolute expiry), and gets `nextRefreshJti` with **no grace** for the one before:
 * presenting that is reuse. Only a live session of `userId` is upgraded.
 */
export interface SessionStepUp {
  readonly sessionId: string;
  readonly userId: string;
  readonly authMethods: readonly AuthMethod[];
  readonly nextRefreshJti: string;
  readonly now: number;
  /** Before the cap at the session's absolute expiry, which the store applies. */
  readonly idleExpiresAt: number;
}

/** What a proof's acceptance did to the session. */
export type StepUpResult =
  | {
      readonly outcome: 'accepted';
      readonly session: SessionRecord;
      /** The recovery codes left after this one (0 for TOTP, which does not read them). */
      readonly recoveryCodesRemaining: number;
    }
  | {
      /**
       * - `rejected`: the code is not (any longer) good: a TOTP step at or before the factor's
       *   last accepted one (a replay), a recovery code that is unknown or used, or a passkey
       *   whose counter another assertion moved first;
       * - `session_gone`: the session to upgrade is no longer live.
       */
      readonly outcome: 'rejected' | 'session_gone';
    };
