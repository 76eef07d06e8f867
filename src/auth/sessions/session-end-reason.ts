import type { SessionRevocationReason } from '../ports/records.js';

// Every way a session ends before its time is one revocation of the store, with a reason; the
// store records it (with its revocation record) in the same transaction. This file is what a
// client and the revocation feed are told about that reason.

/** Why a session ended, as `sessionEnded` and `GET /revocations` say it (names fixed). */
export const SESSION_END_REASONS = [
  'LOGOUT',
  'REVOKED',
  'PASSWORD_CHANGED',
  'REFRESH_TOKEN_REUSED',
  'ACCOUNT_DISABLED',
  'ACCOUNT_DELETED',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/**
 * A logout in any scope is LOGOUT; `revokeSession`, an admin, the CLI and an undone email change
 * are REVOKED, as is an operator's reset of the second factors; a password change or reset is PASSWORD_CHANGED. Typed as
 * a complete record, so a new revocation reason cannot compile without saying what it announces.
 */
const END_REASON_OF: Readonly<Record<SessionRevocationReason, SessionEndReason>> = {
  logout: 'LOGOUT',
  revoked_by_user: 'REVOKED',
  revoked_by_admin: 'REVOKED',
  password_changed: 'PASSWORD_CHANGED',
  password_reset: 'PASSWORD_CHANGED',
  email_change_undone: 'REVOKED',
  refresh_token_reused: 'REFRESH_TOKEN_REUSED',
  account_disabled: 'ACCOUNT_DISABLED',
  account_deleted: 'ACCOUNT_DELETED',
  mfa_reset: 'REVOKED',
};

export function sessionEndReasonOf(reason: SessionRevocationReason): SessionEndReason {
  return END_REASON_OF[reason];
}
