import type { AccountStore, LinkIssue } from './account-store.js';
import type { FactorStore } from './factor-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { PasskeyStore } from './passkey-store.js';
import type {
  AuditEventRecord,
  AuthEvent,
  AuthEventType,
  NewSession,
  NewUser,
  Role,
  SessionEndRecord,
  SessionRecord,
  SessionRevocationReason,
  SigningKeyRecord,
  UserRecord,
} from './records.js';

/**
 * What `auth/` needs from persistence. Every method is a single statement or transaction, so
 * a second implementation (a server database) can keep the same guarantees.
 *
 * A write that rejects wrote nothing, with one exception: a `CommitOutcomeUnknownError`
 * (./commit-outcome.ts) says that its transaction failed at COMMIT and may have committed.
 */
export interface Store {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly signingKeys: SigningKeyStore;
  readonly auditEvents: AuditEventStore;
  readonly revocations: RevocationStore;
  readonly accounts: AccountStore;
  readonly outbox: OutboxStore;
  readonly factors: FactorStore;
  readonly passkeys: PasskeyStore;
  /** Resolves when the store answers a trivial query; rejects when it cannot (for `/ready`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type { WriteEvent } from './write-event.js';

import type { WriteEvent } from './write-event.js';

/** A new account and its first session, as sign-up writes them. */
export interface NewAccountWithSession {
  readonly user: UserRecord;
  readonly session: SessionRecord;
}

export interface UserStore {
  /** Inserts the user (and `event`); returns null, writing nothing, when the email is taken. */
  insert(user: NewUser, event?: WriteEvent): Promise<UserRecord | null>;
  /**
   * Sign-up, in one transaction: inserts the user, its first session, `links` (its
   * verification token and mail) and `events` (SIGN_UP, then EMAIL_VERIFICATION_SENT), in
   * their order. Returns null, writing nothing, when the email is taken.
   */
  insertWithSession(
    user: NewUser,
    session: NewSession,
    events: readonly WriteEvent[],
    links?: Omit<LinkIssue, 'userId'>,
  ): Promise<NewAccountWithSession | null>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  /** Every user, oldest first. */
  list(): Promise<UserRecord[]>;
  /**
   * Replaces the password hash only while it is still `expectedPasswordHash`, so an upgrade of
   * an old hash cannot undo a password change that committed meanwhile. True when it wrote.
   */
  updatePasswordHash(
    id: string,
    expectedPasswordHash: string,
    passwordHash: string,
  ): Promise<boolean>;
  /**
   * Replaces the user's roles and appends `event` (even should the user be gone); they reach
   * access tokens issued from then on.
   */
  setRoles(id: string, roles: readonly Role[], event?: WriteEvent): Promise<void>;
  /**
   * In one transaction: replaces the password hash if it is still `expectedPasswordHash`,
   * revokes every other live session of the user, and gives the kept session a new refresh
   * token with no grace for the old one, and appends `event`. Returns null, writing nothing, when
   * the hash changed meanwhile or the kept session is no longer live.
   */
  changePassword(change: PasswordChange, event?: WriteEvent): Promise<PasswordChangeResult | null>;
}

export interface PasswordChange {
  readonly userId: string;
  readonly expectedPasswordHash: string;
  readonly passwordHash: string;
  readonly keepSessionId: string;
  readonly nextRefreshJti: string;
  readonly now: number;
}

export interface PasswordChangeResult {
  readonly session: SessionRecord;
  readonly revokedSessions: number;
}

export interface RefreshRotation {
  readonly sessionId: string;
  readonly userId: string;
  readonly presentedJti: string;
  readonly nextJti: string;
  readonly now: number;
  /** The new idle expiry is `now + idleTimeout`, capped at the session's absolute expiry. */
  readonly idleTimeout: number;
}

export interface SessionWithUser {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

export interface SessionStore {
  /** Inserts the session (and `event`, in the same transaction). */
  insert(session: NewSession, event?: WriteEvent): Promise<SessionRecord>;
  /**
   * A login's session: inserted (with `event`) only while its user exists and is enabled, read
   * in the same transaction; null, writing nothing, otherwise. So a disable either committed
   * first and is seen here, or runs after this commits and ends this session with the others
   * (on PostgreSQL the user row is share-locked, so a disable in between waits for it).
   */
  start(session: NewSession, event?: WriteEvent): Promise<SessionRecord | null>;
  findById(id: string): Promise<SessionRecord | null>;
  /**
   * The session and its user in one read (one statement, so one snapshot): what a protected
   * request that also answers with its own user needs. Null when the session does not exist.
   */
  findWithUser(id: string): Promise<SessionWithUser | null>;
  /**
   * The atomic check-and-rotate: one conditional write that succeeds only while `presentedJti`
   * is the session's current refresh token and the session is live at `now`, and `event` in the
   * same transaction. Returns the rotated session, or null when nothing was written.
   */
  rotateRefreshToken(rotation: RefreshRotation, event?: WriteEvent): Promise<SessionRecord | null>;
  /** The user's sessions that are neither revoked nor expired at `now`, most recently used first. */
  listLiveForUser(userId: string, now: number): Promise<SessionRecord[]>;
  /**
   * Revokes one session if it is not revoked yet and, when `userId` is given, belongs to that
   * user; true when this call revoked it (and appended `event`).
   */
  revoke(
    id: string,
    reason: SessionRevocationReason,
    now: number,
    userId?: string | undefined,
    event?: WriteEvent,
  ): Promise<boolean>;
  /**
   * Revokes a user's live sessions, optionally sparing one; returns how many were revoked. When
   * that is any, `event` is appended in the same transaction.
   */
  revokeAllForUser(
    userId: string,
    reason: SessionRevocationReason,
    now: number,
    exceptSessionId?: string | undefined,
    event?: WriteEvent,
  ): Promise<number>;
}

/** What one key rotation changed. */
export interface KeyRotationOutcome {
  readonly activated: SigningKeyRecord;
  /** The key that was active before, now retiring; null when there was none. */
  readonly demoted: SigningKeyRecord | null;
  /** Kids of retiring keys whose grace period had ended, now retired. */
  readonly retired: readonly string[];
}

export interface SigningKeyStore {
  /** Keys that still verify tokens: active and retiring. */
  listVerifying(): Promise<SigningKeyRecord[]>;
  /** Every key in every state, newest first. */
  list(): Promise<SigningKeyRecord[]>;
  /**
   * Stores `candidate` as the active key unless one is active already, atomically.
   * Returns whichever key is active afterwards.
   */
  activateIfNoneActive(candidate: SigningKeyRecord): Promise<SigningKeyRecord>;
  /**
   * One transaction: retires the retiring keys that stopped signing at or before
   * `retireRetiringSince`, moves the active key to retiring (since `now`), and stores
   * `candidate` as the only active key.
   */
  rotate(
    candidate: SigningKeyRecord,
    now: number,
    retireRetiringSince: number,
  ): Promise<KeyRotationOutcome>;
  /** Retires the retiring keys that stopped signing at or before the cutoff; returns their kids. */
  retireExpired(retireRetiringSince: number, now: number): Promise<string[]>;
}

export interface AuditEventFilter {
  readonly userId?: string | undefined;
  /** Any of these types; all types when absent or empty. */
  readonly types?: readonly AuthEventType[] | undefined;
  /** Inclusive lower bound on `at`. */
  readonly since?: number | undefined;
  /** Exclusive upper bound on `at`. */
  readonly until?: number | undefined;
}

export interface AuditEventStore {
  append(event: AuthEvent): Promise<void>;
  /** Newest first: up to `limit` events matching `filter` whose id is below `beforeId`. */
  list(filter: AuditEventFilter, limit: number, beforeId?: number): Promise<AuditEventRecord[]>;
  /** Retention: deletes events older than `cutoff`; returns how many. */
  deleteOlderThan(cutoff: number): Promise<number>;
}

/**
 * The revocation records: every write that ends a session (`revoke`, `revokeAllForUser`,
 * `changePassword`) writes one per ended session in its own transaction.
 */
export interface RevocationStore {
  /**
   * Up to `limit` records after the one at `after` (null: from the oldest kept), in order. Only
   * records whose place is settled are returned: a record that commits later comes after the
   * last one returned, so a reader continuing from there never skips one. Null when `after` is
   * not a position this store hands out.
   */
  listAfter(after: string | null, limit: number): Promise<SessionEndRecord[] | null>;
  /**
   * Retention: deletes the records of sessions that ended before `endedBefore` or whose
   * session expired before `sessionExpiredBefore`; returns how many.
   */
  deleteExpired(endedBefore: number, sessionExpiredBefore: number): Promise<number>;
}
