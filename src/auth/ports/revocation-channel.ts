/*
 * Revocation fan-out. The store is the truth about sessions; with several instances, each may
 * keep a short-lived cache of sessions it found live, and every revocation is announced so that
 * the other instances drop theirs. A cache is only trusted while announcements are known to
 * arrive; otherwise the store is read, which is slower and never unsafe.
 */

import type { SessionRevocationReason } from './records.js';

/**
 * Why an announcement was made: the reason the sessions ended (the one on their rows), or
 * `restrictions_changed` when sessions live on with fewer restrictions (a verified address), so
 * a cached session is read again.
 */
export type RevocationReason = SessionRevocationReason | 'restrictions_changed';

/** What was revoked: one session, or a user's sessions (all, or all but one). */
export type Revocation = (
  | { readonly kind: 'session'; readonly sessionId: string }
  | {
      readonly kind: 'user';
      readonly userId: string;
      /** The session the revocation spared (logout OTHERS, a password change); null for none. */
      readonly exceptSessionId: string | null;
    }
) & {
  /**
   * Always set by the announcing store (sessions/announce-revocations.ts); absent only in a
   * message from an instance of an earlier version, which still drops the sessions.
   */
  readonly reason?: RevocationReason;
};

/** Hears the revocations of every instance, this one included. */
export interface RevocationListener {
  revoked(revocation: Revocation): void;
  /**
   * The channel's delivery was interrupted or has (re)started: announcements may have been
   * missed, so whatever was learnt before must be forgotten.
   */
  reset(): void;
}

/** Carries revocations between instances. */
export interface RevocationChannel {
  /**
   * Tells this instance's listeners at once, then the other instances. Resolves once sent or
   * once sending failed (logged); never rejects, because the revocation is already stored.
   */
  publish(revocation: Revocation): Promise<void>;
  /** Returns a function that removes the listener. */
  subscribe(listener: RevocationListener): () => void;
  /**
   * True while announcements from other instances are known to arrive within a second:
   * subscribed, and heard from the server within the last second.
   */
  isHealthy(): boolean;
  close(): Promise<void>;
}
