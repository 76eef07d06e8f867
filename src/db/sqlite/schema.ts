import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type { MfaFactorType } from '../../auth/ports/factor-store.js';
import type {
  LinkPurpose,
  MailKind,
  MailPayload,
  OutboxState,
} from '../../auth/ports/link-records.js';
import type { PasskeyPurpose } from '../../auth/ports/passkey-store.js';
import type {
  AssuranceLevel,
  AuthEventType,
  AuthMethod,
  Role,
  SessionRestriction,
  SessionRevocationReason,
  SigningKeyStatus,
  StoredJwk,
} from '../../auth/ports/records.js';

// Times are integer milliseconds since the Unix epoch: exact, sortable and dialect-neutral.

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles', { mode: 'json' }).$type<Role[]>().notNull(),
  createdAt: integer('created_at').notNull(),
  // Accounts from before verification existed are unverified: nothing proved their address.
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
  disabledAt: integer('disabled_at'),
  // Consecutive TOTP failures, and when they locked TOTP: kept on the account, not per
  // instance or per session, so guessing across sessions or instances counts against one cap.
  mfaTotpFailures: integer('mfa_totp_failures').notNull().default(0),
  mfaTotpLockedAt: integer('mfa_totp_locked_at'),
});

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    currentRefreshJti: text('current_refresh_jti').notNull(),
    previousRefreshJti: text('previous_refresh_jti'),
    rotatedAt: integer('rotated_at').notNull(),
    generation: integer('generation').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
    idleExpiresAt: integer('idle_expires_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    revokedReason: text('revoked_reason').$type<SessionRevocationReason>(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    restrictions: text('restrictions', { mode: 'json' })
      .$type<SessionRestriction[]>()
      .notNull()
      .default(sql`'[]'`),
    // Sessions from before second factors existed were opened by a password alone.
    assuranceLevel: integer('assurance_level').$type<AssuranceLevel>().notNull().default(1),
    authMethods: text('auth_methods', { mode: 'json' })
      .$type<AuthMethod[]>()
      .notNull()
      .default(sql`'["pwd"]'`),
    authTime: integer('auth_time').notNull(),
    stepUpDeadline: integer('step_up_deadline'),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

export const mfaFactors = sqliteTable(
  'mfa_factors',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').$type<MfaFactorType>().notNull(),
    name: text('name'),
    // Sealed by the secret box: a copy of the database alone yields no TOTP secret.
    sealedSecret: text('sealed_secret'),
    createdAt: integer('created_at').notNull(),
    confirmedAt: integer('confirmed_at'),
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    lastStep: integer('last_step'),
    // A passkey's WebAuthn credential (null for TOTP): its id and COSE public key (base64url),
    // the last signature counter, the transports it named, and its backup flags.
    credentialId: text('credential_id'),
    publicKey: text('public_key'),
    signCount: integer('sign_count'),
    transports: text('transports', { mode: 'json' }).$type<string[]>(),
    backupEligible: integer('backup_eligible', { mode: 'boolean' }),
    backedUp: integer('backed_up', { mode: 'boolean' }),
  },
  (table) => [
    index('mfa_factors_user_id_idx').on(table.userId),
    uniqueIndex('mfa_factors_credential_id_idx').on(table.credentialId),
  ],
);

/** WebAuthn challenges: single use (deleted as they are taken), bound to a purpose. */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose').$type<PasskeyPurpose>().notNull(),
    challenge: text('challenge').notNull(),
    // Registration and verification: the session that asked, and its user.
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    // Registration: the name the passkey gets.
    name: text('name'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
);

export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Only the SHA-256 of a code, as for link tokens.
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.codeHash] })],
);

export const linkTokens = sqliteTable(
  'link_tokens',
  {
    // Only the SHA-256 of a token: a copy of the database opens no account.
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose').$type<LinkPurpose>().notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('link_tokens_user_id_idx').on(table.userId, table.purpose)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<MailKind>().notNull(),
    recipient: text('recipient').notNull(),
    // No foreign key: a notice outlives nothing, but a mail may concern an account deleted since.
    userId: text('user_id'),
    payload: text('payload', { mode: 'json' }).$type<MailPayload>(),
    linkExpiresAt: integer('link_expires_at'),
    createdAt: integer('created_at').notNull(),
    state: text('state').$type<OutboxState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseUntil: integer('lease_until'),
    leaseOwner: text('lease_owner'),
    lastError: text('last_error'),
    settledAt: integer('settled_at'),
  },
  (table) => [
    index('outbox_due_idx').on(table.state, table.nextAttemptAt),
    // deleteUser drops a user's pending mails; retention deletes by settled_at.
    index('outbox_user_id_idx').on(table.userId),
    index('outbox_settled_at_idx').on(table.settledAt),
  ],
);

export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull(),
    status: text('status').$type<SigningKeyStatus>().notNull(),
    publicJwk: text('public_jwk', { mode: 'json' }).$type<StoredJwk>().notNull(),
    privateJwk: text('private_jwk', { mode: 'json' }).$type<StoredJwk>().notNull(),
    createdAt: integer('created_at').notNull(),
    retiringSince: integer('retiring_since'),
    retiredAt: integer('retired_at'),
  },
  (table) => [
    // The database itself guarantees that at most one key signs.
    uniqueIndex('signing_keys_one_active_idx')
      .on(table.status)
      .where(sql`${table.status} = 'active'`),
  ],
);

export const auditEvents = sqliteTable(
  'audit_events',
  {
    // The log's order: rowid aliases are assigned increasing, and AUTOINCREMENT never reuses one.
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    type: text('type').$type<AuthEventType>().notNull(),
    // No foreign keys: the log outlives the users and sessions it mentions.
    userId: text('user_id'),
    sessionId: text('session_id'),
    actorId: text('actor_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: text('detail'),
    revokedSessions: integer('revoked_sessions').notNull().default(0),
  },
  (table) => [
    index('audit_events_user_id_idx').on(table.userId, table.id),
    index('audit_events_at_idx').on(table.at),
  ],
);

export const revocations = sqliteTable(
  'revocations',
  {
    // The feed's order. SQLite runs one write transaction at a time, so ids commit in order.
    id: integer('id').primaryKey({ autoIncrement: true }),
    // No foreign keys: a deleted account's ended sessions must still be announced.
    sessionId: text('session_id').notNull().unique(),
    userId: text('user_id').notNull(),
    reason: text('reason').$type<SessionRevocationReason>().notNull(),
    endedAt: integer('ended_at').notNull(),
    sessionExpiresAt: integer('session_expires_at').notNull(),
  },
  (table) => [index('revocations_ended_at_idx').on(table.endedAt)],
);
