import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
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

// The PostgreSQL twin of ../sqlite/schema.ts: the same tables, columns and constraints, so both
// stores return the same records. Times are integer milliseconds since the Unix epoch (bigint,
// read back as numbers: exact until the year 287 396).

/** A millisecond timestamp column. */
function millis(name: string) {
  return bigint(name, { mode: 'number' });
}

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  roles: jsonb('roles').$type<Role[]>().notNull(),
  createdAt: millis('created_at').notNull(),
  // Accounts from before verification existed are unverified: nothing proved their address.
  emailVerified: boolean('email_verified').notNull().default(false),
  disabledAt: millis('disabled_at'),
  // Consecutive TOTP failures, and when they locked TOTP: kept on the account, not per
  // instance or per session, so guessing across sessions or instances counts against one cap.
  mfaTotpFailures: integer('mfa_totp_failures').notNull().default(0),
  mfaTotpLockedAt: millis('mfa_totp_locked_at'),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    currentRefreshJti: text('current_refresh_jti').notNull(),
    previousRefreshJti: text('previous_refresh_jti'),
    rotatedAt: millis('rotated_at').notNull(),
    generation: integer('generation').notNull().default(0),
    createdAt: millis('created_at').notNull(),
    lastUsedAt: millis('last_used_at').notNull(),
    idleExpiresAt: millis('idle_expires_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
    revokedAt: millis('revoked_at'),
    revokedReason: text('revoked_reason').$type<SessionRevocationReason>(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    restrictions: jsonb('restrictions')
      .$type<SessionRestriction[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    // Sessions from before second factors existed were opened by a password alone.
    assuranceLevel: integer('assurance_level').$type<AssuranceLevel>().notNull().default(1),
    authMethods: jsonb('auth_methods')
      .$type<AuthMethod[]>()
      .notNull()
      .default(sql`'["pwd"]'::jsonb`),
    authTime: millis('auth_time').notNull(),
    stepUpDeadline: millis('step_up_deadline'),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

export const mfaFactors = pgTable(
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
    createdAt: millis('created_at').notNull(),
    confirmedAt: millis('confirmed_at'),
    expiresAt: millis('expires_at'),
    lastUsedAt: millis('last_used_at'),
    lastStep: bigint('last_step', { mode: 'number' }),
    // A passkey's WebAuthn credential (null for TOTP): its id and COSE public key (base64url),
    // the last signature counter, the transports it named, and its backup flags.
    credentialId: text('credential_id'),
    publicKey: text('public_key'),
    signCount: bigint('sign_count', { mode: 'number' }),
    transports: jsonb('transports').$type<string[]>(),
    backupEligible: boolean('backup_eligible'),
    backedUp: boolean('backed_up'),
  },
  (table) => [
    index('mfa_factors_user_id_idx').on(table.userId),
    uniqueIndex('mfa_factors_credential_id_idx').on(table.credentialId),
  ],
);

/** WebAuthn challenges: single use (deleted as they are taken), bound to a purpose. */
export const webauthnChallenges = pgTable(
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
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (table) => [index('webauthn_challenges_expires_at_idx').on(table.expiresAt)],
);

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // Only the SHA-256 of a code, as for link tokens.
    codeHash: text('code_hash').notNull(),
    createdAt: millis('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.codeHash] })],
);

export const linkTokens = pgTable(
  'link_tokens',
  {
    // Only the SHA-256 of a token: a copy of the database opens no account.
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose').$type<LinkPurpose>().notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (table) => [index('link_tokens_user_id_idx').on(table.userId, table.purpose)],
);

export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<MailKind>().notNull(),
    recipient: text('recipient').notNull(),
    // No foreign key: a mail may concern an account deleted since.
    userId: text('user_id'),
    payload: jsonb('payload').$type<MailPayload>(),
    linkExpiresAt: millis('link_expires_at'),
    createdAt: millis('created_at').notNull(),
    state: text('state').$type<OutboxState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: millis('next_attempt_at').notNull(),
    leaseUntil: millis('lease_until'),
    leaseOwner: text('lease_owner'),
    lastError: text('last_error'),
    settledAt: millis('settled_at'),
  },
  (table) => [
    index('outbox_due_idx').on(table.state, table.nextAttemptAt),
    // deleteUser drops a user's pending mails; retention deletes by settled_at.
    index('outbox_user_id_idx').on(table.userId),
    index('outbox_settled_at_idx').on(table.settledAt),
  ],
);

export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull(),
    status: text('status').$type<SigningKeyStatus>().notNull(),
    publicJwk: jsonb('public_jwk').$type<StoredJwk>().notNull(),
    privateJwk: jsonb('private_jwk').$type<StoredJwk>().notNull(),
    createdAt: millis('created_at').notNull(),
    retiringSince: millis('retiring_since'),
    retiredAt: millis('retired_at'),
  },
  (table) => [
    // The database itself guarantees that at most one key signs.
    uniqueIndex('signing_keys_one_active_idx')
      .on(table.status)
      .where(sql`${table.status} = 'active'`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    // The log's order. A sequence never hands out a number twice.
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: millis('at').notNull(),
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

/** A 64-bit transaction id (`xid8`, PostgreSQL 13+), read as its decimal text. */
const transactionId = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

export const revocations = pgTable(
  'revocations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // The feed's order is (tx, id), not id alone: sequence values can commit out of order, but
    // every transaction that has yet to commit has an id at or above the oldest one still
    // running, which is the horizon the feed reads below (see ./revocations.ts).
    tx: transactionId('tx').notNull().default(sql`pg_current_xact_id()`),
    // No foreign keys: a deleted account's ended sessions must still be announced.
    sessionId: text('session_id').notNull().unique(),
    userId: text('user_id').notNull(),
    reason: text('reason').$type<SessionRevocationReason>().notNull(),
    endedAt: millis('ended_at').notNull(),
    sessionExpiresAt: millis('session_expires_at').notNull(),
  },
  (table) => [
    index('revocations_order_idx').on(table.tx, table.id),
    index('revocations_ended_at_idx').on(table.endedAt),
  ],
);
