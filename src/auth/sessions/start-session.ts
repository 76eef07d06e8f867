import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../client/client-info.js';
import { clampUserAgent } from '../client/user-agent.js';
import type { AuthDeps } from '../deps.js';
import type { AuthEventInput } from '../events/fan-out.js';
import { announceStoredEvent, stampEvent } from '../events/record-event.js';
import type {
  AssuranceLevel,
  AuthMethod,
  NewSession,
  SessionRecord,
  SessionRestriction,
  UserRecord,
} from '../ports/records.js';
import { createRandomId, issueTokenPair } from '../tokens/token-pair.js';
import type { AuthGrant } from './grant.js';
import { settleSessionWrite } from './settle-commit.js';

/** How a new session's user authenticated: a password (assurance 1), or a passkey (2). */
export interface SessionProof {
  readonly assuranceLevel: AssuranceLevel;
  readonly authMethods: readonly AuthMethod[];
}

const PASSWORD_PROOF: SessionProof = { assuranceLevel: 1, authMethods: ['pwd'] };

/** A new session of `user` from `client`, as the store inserts it. */
export function newSessionFor(
  deps: AuthDeps,
  user: UserRecord,
  client: ClientInfo,
  proof: SessionProof = PASSWORD_PROOF,
): NewSession {
  const now = deps.clock.now();
  const { sessionMaxAge, refreshTokenTtl } = deps.settings.lifetimes;
  const expiresAt = now + sessionMaxAge * 1000;
  return {
    id: randomUUID(),
    userId: user.id,
    currentRefreshJti: createRandomId(),
    rotatedAt: now,
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: Math.min(now + refreshTokenTtl * 1000, expiresAt),
    expiresAt,
    userAgent: clampUserAgent(client.userAgent),
    ip: client.ip,
    restrictions: restrictionsFor(deps, user),
    assuranceLevel: proof.assuranceLevel,
    authMethods: [...proof.authMethods],
    authTime: now,
    stepUpDeadline: null,
    // The store adds MFA_REQUIRED (or MFA_ENROLLMENT_REQUIRED) in the session's transaction.
    mfaGate: {
      challengeDeadline: now + deps.settings.mfa.challengeTtl * 1000,
      enrollmentRoles: deps.settings.mfa.requiredRoles,
    },
  };
}

/**
 * What a new session of `user` may not do yet: with REQUIRE_EMAIL_VERIFICATION, an unverified
 * account gets a session that reaches only what verifying needs. (The second factor's
 * restrictions are the store's to add: see NewSession.mfaGate.)
 */
export function restrictionsFor(
  deps: Pick<AuthDeps, 'settings'>,
  user: Pick<UserRecord, 'emailVerified'>,
): SessionRestriction[] {
  return deps.settings.requireEmailVerification && !user.emailVerified
    ? ['EMAIL_NOT_VERIFIED']
    : [];
}

/** The grant for a stored session: its current pair, with the user's roles as given. */
export async function grantFor(
  deps: AuthDeps,
  session: SessionRecord,
  user: UserRecord,
): Promise<AuthGrant> {
  return {
    tokens: await issueTokenPair(deps, session, user),
    user,
    sessionId: session.id,
    restrictions: session.restrictions,
    assuranceLevel: session.assuranceLevel,
  };
}

/**
 * Opens a new session for an authenticated user and issues its first token pair. `event` (its
 * `sessionId` is the new session's) is stored in the session's own transaction, so an error
 * answer means that neither was written; a commit whose outcome is unknown is settled by
 * reading the session again (see settleSessionWrite).
 */
export async function startSession(
  deps: AuthDeps,
  user: UserRecord,
  client: ClientInfo,
  event?: AuthEventInput,
  proof: SessionProof = PASSWORD_PROOF,
): Promise<AuthGrant | null> {
  const { sessions } = deps.store;
  const session = newSessionFor(deps, user, client, proof);
  const stamped =
    event === undefined ? undefined : stampEvent(deps, client, { ...event, sessionId: session.id });
  const stored = await settleSessionWrite(
    sessions,
    { sessionId: session.id, refreshJti: session.currentRefreshJti },
    sessions.start(session, stamped),
    (found) => found,
  );
  if (stored === null) return null;
  if (stamped !== undefined) await announceStoredEvent(deps, stamped, 0);
  return grantFor(deps, stored, user);
}
