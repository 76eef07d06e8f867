/** Records of account recovery and mail: link tokens and the outbox. Times are milliseconds. */

/** What a link token lets its holder do, once. */
export const LINK_PURPOSES = [
  'verify_email',
  'reset_password',
  'change_email',
  'undo_email_change',
] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** A link token as stored: only the SHA-256 of the token, never the token itself. */
export interface LinkTokenRecord {
  /** base64url SHA-256 of the token's text. */
  readonly tokenHash: string;
  readonly purpose: LinkPurpose;
  readonly userId: string;
  /**
   * The address the link was sent to, which it is bound to: verification and reset need the
   * account to still have it; an email change and its undo give the account this address.
   */
  readonly email: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** The kinds of mail the service sends. */
export const MAIL_KINDS = [
  'verify_email',
  'reset_password',
  'change_email',
  'email_change_notice',
  'password_changed',
  'mfa_enrolled',
  'mfa_removed',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'test',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const OUTBOX_STATES = ['pending', 'sent', 'dropped', 'dead'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** What a mail says besides its kind: the link and the names it shows. Plain strings only. */
export type MailPayload = Readonly<Record<string, string>>;

/** A mail waiting in (or done with) the outbox. */
export interface OutboxMail {
  /** Also the mail's Message-ID (local part), stable across retries. */
  readonly id: string;
  readonly kind: MailKind;
  readonly recipient: string;
  readonly userId: string | null;
  /**
   * The body's data, including the link; erased once the mail is sent or given up. Null for a
   * reset mail until its sender has issued the token (see deliver-outbox.ts).
   */
  readonly payload: MailPayload | null;
  /** When the link in it expires; the mail is dropped rather than sent after that. */
  readonly linkExpiresAt: number | null;
  readonly createdAt: number;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  /** While in the future, one sender holds the mail; nobody else sends it. */
  readonly leaseUntil: number | null;
  readonly leaseOwner: string | null;
  /** Why the last attempt failed, or why the mail was dropped or dead-lettered. */
  readonly lastError: string | null;
  /** When the mail reached its final state (sent, dropped or dead). */
  readonly settledAt: number | null;
}

export type NewOutboxMail = Pick<
  OutboxMail,
  'id' | 'kind' | 'recipient' | 'userId' | 'payload' | 'linkExpiresAt' | 'createdAt'
>;
