import type { LinkPurpose, LinkTokenRecord, NewOutboxMail } from './link-records.js';
import type { NewSession, SessionRecord, UserRecord } from './records.js';
import type { WriteEvent } from './write-event.js';

/**
 * The account lifecycle's writes: link tokens, the changes they confirm, disabling and
 * deleting. Each is one transaction with its audit event and the mails it queues (the outbox
 * rows commit with the change they report, or neither does).
 */
export interface AccountStore {
  /**
   * Stores `issue.tokens`, each first removing the user's outstanding tokens of its purpose
   * (supersession), and queues `issue.mails`. Writes nothing and returns false when the user is
   * gone or disabled.
   */
  issueLinks(issue: LinkIssue, event?: WriteEvent): Promise<boolean>;
  /** The stored token with this hash, whatever its state; null when unknown. */
  findLink(tokenHash: string): Promise<LinkTokenRecord | null>;
  /**
   * Consumes a token and applies its use, in one transaction. The token is taken by one
   * conditional DELETE (of the hash, the purpose, still unexpired), so of any number of
   * concurrent uses exactly one proceeds. `event` is appended only when the use succeeded.
   */
  useLink(use: LinkUse, event?: WriteEvent): Promise<LinkUseResult>;
  /** Queues mails that report no change (a password-reset request). */
  queueMails(mails: readonly NewOutboxMail[], event?: WriteEvent): Promise<void>;
  /**
   * Marks the user's email verified, lifts EMAIL_NOT_VERIFIED from their sessions and removes
   * their verification tokens. False, writing nothing, when already verified or gone.
   */
  markEmailVerified(userId: string, event?: WriteEvent): Promise<boolean>;
  /**
   * Disables the account and ends every live session (reason `account_disabled`), or enables it.
   * Returns how many sessions ended, or null, writing nothing, when the account was already in
   * that state or is gone.
   */
  setDisabled(change: DisabledChange, event?: WriteEvent): Promise<number | null>;
  /**
   * Deletes the user, and with them their sessions, link tokens and unsent mails. Returns how
   * many live sessions ended that way, or null when there was no such user (or, with
   * `expectedPasswordHash`, its password changed meanwhile).
   */
  deleteUser(deletion: UserDeletion, event?: WriteEvent): Promise<number | null>;
  /**
   * Retention: deletes link tokens that expired before `expiredBefore` (their hashes open
   * nothing any more); returns how many.
   */
  purgeExpiredLinks(expiredBefore: number): Promise<number>;
}

export interface LinkIssue {
  readonly userId: string;
  readonly tokens: readonly LinkTokenRecord[];
  readonly mails: readonly NewOutboxMail[];
}

/** What consuming a link does besides removing it. */
export type LinkEffect =
  | { readonly kind: 'verify_email' }
  | {
      readonly kind: 'reset_password';
      readonly passwordHash: string;
      /** The session the reset opens; every other one ends (reason `password_reset`). */
      readonly session: NewSession;
      /** The "your password was changed" notice. */
      readonly notice: NewOutboxMail;
    }
  | { readonly kind: 'change_email' }
  | { readonly kind: 'undo_email_change' };

export interface LinkUse {
  readonly tokenHash: string;
  readonly purpose: LinkPurpose;
  readonly now: number;
  readonly effect: LinkEffect;
}

export type LinkUseResult =
  | {
      readonly outcome: 'used';
      /** The account afterwards. */
      readonly user: UserRecord;
      /** The session a reset opened; null for the other uses. */
      readonly session: SessionRecord | null;
      readonly revokedSessions: number;
    }
  | {
      /**
       * - `invalid`: unknown, used, superseded, or bound to an address the account no longer has;
       * - `expired`: known, past its lifetime;
       * - `disabled`: the account is disabled;
       * - `email_taken`: the address it would give the account now belongs to another.
       */
      readonly outcome: 'invalid' | 'expired' | 'disabled' | 'email_taken';
    };

export interface DisabledChange {
  readonly userId: string;
  readonly disabled: boolean;
  readonly now: number;
}

export interface UserDeletion {
  readonly userId: string;
  readonly now: number;
  readonly expectedPasswordHash?: string | undefined;
}
