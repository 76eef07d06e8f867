import type { AuthEvent } from './records.js';

/**
 * The audit event of a write, which the store appends to the audit log in the write's own
 * transaction, so that the write and its record commit together or not at all. It is appended
 * only when the write wrote something, with `revokedSessions` set to the number of sessions the
 * write revoked.
 */
export type WriteEvent = Omit<AuthEvent, 'revokedSessions'>;

/**
 * A write's audit events: usually one; a sign-up records two (SIGN_UP, then
 * EMAIL_VERIFICATION_SENT for the link it queues), appended in this order.
 */
export type WriteEvents = WriteEvent | readonly WriteEvent[] | undefined;
