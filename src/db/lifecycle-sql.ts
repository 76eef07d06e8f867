import {
  type AnyColumn,
  and,
  asc,
  eq,
  gt,
  inArray,
  isNull,
  lte,
  ne,
  or,
  type SQL,
} from 'drizzle-orm';
import type {
  LinkPurpose,
  MailKind,
  NewOutboxMail,
  OutboxMail,
  OutboxState,
} from '../auth/ports/link-records.js';
import type { OutboxClaim, OutboxSettlement } from '../auth/ports/outbox-store.js';
import type { SessionRestriction } from '../auth/ports/records.js';

// The conditions and values of the account-lifecycle and outbox statements, the same SQL in
// either dialect. Each store runs them in the same order in one transaction:
//  useLink: 1. DELETE the token (hash, purpose, unexpired) RETURNING it: the one statement that
//              decides which of concurrent uses proceeds;
//           2. lock the user row; check it is enabled and still has the token's address;
//           3. the use's own writes (see LinkEffect), its mail and its event.

/** The link_tokens columns these statements read, in either dialect. */
export interface LinkTokenColumns {
  readonly tokenHash: AnyColumn;
  readonly purpose: AnyColumn;
  readonly userId: AnyColumn;
  readonly expiresAt: AnyColumn;
}

/** The outbox columns these statements read or write, in either dialect. */
export interface OutboxColumns {
  readonly id: AnyColumn;
  readonly state: AnyColumn;
  readonly nextAttemptAt: AnyColumn;
  readonly leaseUntil: AnyColumn;
  readonly leaseOwner: AnyColumn;
  readonly userId: AnyColumn;
  readonly createdAt: AnyColumn;
}

/** The token with this hash for this purpose, while unexpired at `now`. */
export function usableLink(
  columns: LinkTokenColumns,
  tokenHash: string,
  purpose: LinkPurpose,
  now: number,
): SQL | undefined {
  return and(
    eq(columns.tokenHash, tokenHash),
    eq(columns.purpose, purpose),
    gt(columns.expiresAt, now),
  );
}

/** The user's outstanding tokens of these purposes (all of them when `purposes` is empty). */
export function linksOfUser(
  columns: LinkTokenColumns,
  userId: string,
  purposes: readonly LinkPurpose[] = [],
): SQL | undefined {
  return and(
    eq(columns.userId, userId),
    purposes.length === 0 ? undefined : inArray(columns.purpose, [...purposes]),
  );
}

/**
 * The purposes a new issue of `links` supersedes: each new token's own, but never an undo link.
 * Undo links are bound to the address they were sent to and end only by their use, their expiry
 * or an undo: otherwise a second email change, by whoever holds the password, would delete the
 * undo link the first change mailed to the rightful owner's old address.
 */
export function supersededPurposes(
  links: readonly { readonly purpose: LinkPurpose }[],
): LinkPurpose[] {
  const purposes = new Set(links.map((link) => link.purpose));
  purposes.delete('undo_email_change');
  return [...purposes];
}

/** Every token of the user but those of `kept`. */
export function linksOfUserExcept(
  columns: LinkTokenColumns,
  userId: string,
  kept: LinkPurpose,
): SQL | undefined {
  return and(eq(columns.userId, userId), ne(columns.purpose, kept));
}

/** An outbox row for a new mail: due at once, unleased. */
export function outboxRow(mail: NewOutboxMail): NewOutboxMail & {
  nextAttemptAt: number;
  payload: Record<string, string> | null;
} {
  return {
    ...mail,
    payload: mail.payload === null ? null : { ...mail.payload },
    nextAttemptAt: mail.createdAt,
  };
}

/** Pending, due at `now`, and not leased by anyone (or the lease has run out). */
export function dueMail(columns: OutboxColumns, now: number): SQL | undefined {
  return and(
    eq(columns.state, 'pending' satisfies OutboxState),
    lte(columns.nextAttemptAt, now),
    or(isNull(columns.leaseUntil), lte(columns.leaseUntil, now)),
  );
}

/** The order in which due mails are leased: the longest waiting first. */
export function dueOrder(columns: OutboxColumns): SQL[] {
  return [asc(columns.nextAttemptAt), asc(columns.id)];
}

/** The lease a claim writes. */
export function leaseValues(claim: OutboxClaim): { leaseUntil: number; leaseOwner: string } {
  return { leaseUntil: claim.now + claim.leaseMs, leaseOwner: claim.owner };
}

/** The mail while `owner` holds its lease and it is still pending. */
export function leasedMail(columns: OutboxColumns, id: string, owner: string): SQL | undefined {
  return and(
    eq(columns.id, id),
    eq(columns.leaseOwner, owner),
    eq(columns.state, 'pending' satisfies OutboxState),
  );
}

/** The mail while `owner` holds its lease, still pending, and the lease has not run out. */
export function liveLease(
  columns: OutboxColumns,
  id: string,
  owner: string,
  now: number,
): SQL | undefined {
  return and(leasedMail(columns, id, owner), gt(columns.leaseUntil, now));
}

/** The account a reset link may be attached for: this user, still at `email`, enabled. */
export function enabledAt(
  columns: { readonly id: AnyColumn; readonly email: AnyColumn; readonly disabledAt: AnyColumn },
  userId: string,
  email: string,
): SQL | undefined {
  return and(eq(columns.id, userId), eq(columns.email, email), isNull(columns.disabledAt));
}

/** What a settlement writes: the final state, and no body (it held the link) and no lease. */
export function settlementValues(settlement: OutboxSettlement): {
  state: OutboxState;
  settledAt: number;
  payload: null;
  leaseUntil: null;
  lastError: string | null;
} {
  return {
    state: settlement.state,
    settledAt: settlement.now,
    payload: null,
    leaseUntil: null,
    lastError: settlement.reason,
  };
}

/**
 * Reset mails to `recipient` still waiting to be sent: each would get a fresh reset link from
 * the sender (see request-password-reset.ts), so a password change or reset drops them with the
 * reset tokens it voids.
 */
export function pendingResetMailsTo(
  columns: { readonly kind: AnyColumn; readonly state: AnyColumn; readonly recipient: AnyColumn },
  recipient: string,
): SQL | undefined {
  return and(
    eq(columns.kind, 'reset_password' satisfies MailKind),
    eq(columns.state, 'pending' satisfies OutboxState),
    eq(columns.recipient, recipient),
  );
}

/** What voiding the pending reset mails writes: dropped, as superseded by the new password. */
export function voidedResetMail(now: number): ReturnType<typeof settlementValues> {
  return settlementValues({ state: 'dropped', now, reason: 'password_changed' });
}

/** Pending mails of a user (deleted with the account: they may hold links to it). */
export function pendingMailsOfUser(columns: OutboxColumns, userId: string): SQL | undefined {
  return and(eq(columns.userId, userId), eq(columns.state, 'pending' satisfies OutboxState));
}

/** `restrictions` without EMAIL_NOT_VERIFIED: what a verified account's sessions keep. */
export function withoutEmailRestriction(
  restrictions: readonly SessionRestriction[],
): SessionRestriction[] {
  return restrictions.filter((restriction) => restriction !== 'EMAIL_NOT_VERIFIED');
}

/** The counts of each state, zero for the states no row is in. */
export function countsOfStates(
  rows: readonly { state: OutboxState; count: number }[],
): Record<OutboxState, number> {
  const counts: Record<OutboxState, number> = { pending: 0, sent: 0, dropped: 0, dead: 0 };
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}

/** The user a deletion removes: by id, and while its hash is still the expected one if given. */
export function userToDelete(
  columns: { readonly id: AnyColumn; readonly passwordHash: AnyColumn },
  userId: string,
  expectedPasswordHash: string | undefined,
): SQL | undefined {
  return and(
    eq(columns.id, userId),
    expectedPasswordHash === undefined ? undefined : eq(columns.passwordHash, expectedPasswordHash),
  );
}

/** A listed mail never shows its body: it may hold a link. */
export function withoutBody(mail: OutboxMail): OutboxMail {
  return { ...mail, payload: null };
}
