import type { LinkTokenRecord, MailPayload, OutboxMail, OutboxState } from './link-records.js';

/** The outbox as its senders see it. Every method is one statement or one transaction. */
export interface OutboxStore {
  /**
   * Leases up to `limit` pending mails that are due at `now` and not leased by anyone (or
   * whose lease ran out): one conditional UPDATE, so two senders never lease the same mail.
   * No row lock is held while a mail is sent: the lease itself keeps other senders off.
   */
  claimDue(claim: OutboxClaim): Promise<OutboxMail[]>;
  /**
   * For a mail whose link its sender issues (a reset): stores `link` (superseding the user's
   * outstanding tokens of its purpose) and the mail's body, and names the mail's user, in one
   * transaction, while `owner` still holds the lease and the account is still enabled at the
   * mail's address. False, writing nothing, otherwise.
   */
  attachLink(mailId: string, owner: string, attachment: LinkAttachment): Promise<boolean>;
  /**
   * Extends `owner`'s lease to `now + leaseMs`, only while it still holds it unexpired: the
   * sender's last step before a send, so a send always starts with a whole lease ahead of it
   * and no other sender can take the mail meanwhile. False when the lease is gone.
   */
  renewLease(mailId: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /**
   * A final state (sent, dropped or dead), while `owner` holds the lease: the body, which holds
   * the link, is erased. False when the lease was lost meanwhile.
   */
  settle(mailId: string, owner: string, settlement: OutboxSettlement): Promise<boolean>;
  /** A failed attempt: the lease is released and the mail is due again at `nextAttemptAt`. */
  retry(mailId: string, owner: string, retry: OutboxRetry): Promise<boolean>;
  /** Mails in these states, oldest first, up to `limit`, bodies left out. */
  list(states: readonly OutboxState[], limit: number): Promise<OutboxMail[]>;
  /** How many mails are in each state. */
  countByState(): Promise<Record<OutboxState, number>>;
  /**
   * Retention: deletes mails settled (sent, dropped or dead) before `cutoff`, which keep no body
   * but still name their recipient; returns how many. Pending mails are never deleted here.
   */
  purgeSettled(cutoff: number): Promise<number>;
}

export interface OutboxClaim {
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
}

export interface LinkAttachment {
  readonly link: LinkTokenRecord;
  readonly payload: MailPayload;
}

export interface OutboxSettlement {
  readonly state: Exclude<OutboxState, 'pending'>;
  readonly now: number;
  /** Why a mail was dropped or dead-lettered; null once sent. */
  readonly reason: string | null;
}

export interface OutboxRetry {
  readonly nextAttemptAt: number;
  readonly error: string;
}
