import { type AnyColumn, and, eq, lte, ne, type SQL, sql } from 'drizzle-orm';
import type { AuthMethod, SessionRecord, SessionRestriction } from '../auth/ports/records.js';
import type { SessionStepUp } from '../auth/ports/step-up.js';
import { isLiveAt, type SessionColumns } from './session-sql.js';

// What proving a second factor writes on sessions, the same SQL in either dialect: the proved
// session's upgrade, and (on a confirmation) the restriction of the account's other sessions.
// The order of the steps around them: ./factor-sql.ts.

/** The session a step-up upgrades: the user's, live at the proof. */
export function steppingUpSession(columns: SessionColumns, stepUp: SessionStepUp): SQL | undefined {
  return and(
    eq(columns.id, stepUp.sessionId),
    eq(columns.userId, stepUp.userId),
    isLiveAt(columns, stepUp.now),
  );
}

/** What the proved session gets (see SessionStepUp), from its locked row. */
export function stepUpValues(
  columns: { readonly generation: AnyColumn },
  session: Pick<SessionRecord, 'restrictions' | 'expiresAt'>,
  stepUp: SessionStepUp,
): {
  assuranceLevel: 2;
  authMethods: AuthMethod[];
  authTime: number;
  restrictions: SessionRestriction[];
  stepUpDeadline: null;
  idleExpiresAt: number;
  currentRefreshJti: string;
  previousRefreshJti: null;
  rotatedAt: number;
  lastUsedAt: number;
  generation: SQL;
} {
  return {
    assuranceLevel: 2,
    authMethods: [...stepUp.authMethods],
    authTime: stepUp.now,
    restrictions: session.restrictions.filter((each) => !MFA_RESTRICTIONS.includes(each)),
    stepUpDeadline: null,
    idleExpiresAt: Math.min(stepUp.idleExpiresAt, session.expiresAt),
    currentRefreshJti: stepUp.nextRefreshJti,
    // No grace: the refresh token from before the proof carries the lower assurance, and
    // presenting it is reuse from now on.
    previousRefreshJti: null,
    rotatedAt: stepUp.now,
    lastUsedAt: stepUp.now,
    generation: sql`${columns.generation} + 1`,
  };
}

const MFA_RESTRICTIONS: readonly SessionRestriction[] = ['MFA_REQUIRED', 'MFA_ENROLLMENT_REQUIRED'];

/**
 * The user's other live sessions below assurance 2: what a confirmation restricts, for an
 * account that has a second factor from now on.
 */
export function otherLowAssuranceSessions(
  columns: SessionColumns & { readonly assuranceLevel: AnyColumn },
  userId: string,
  keptSessionId: string,
  now: number,
): SQL | undefined {
  return and(
    eq(columns.userId, userId),
    ne(columns.id, keptSessionId),
    isLiveAt(columns, now),
    lte(columns.assuranceLevel, 1),
  );
}

/**
 * An other session a confirmation restricts: one not restricted with MFA_REQUIRED already,
 * which keeps the earlier deadline it was given (a later factor must not extend it).
 */
export function needsRestricting(session: {
  readonly restrictions: readonly SessionRestriction[];
}): boolean {
  return !session.restrictions.includes('MFA_REQUIRED');
}

/** What a restricted other session gets: MFA_REQUIRED in place of enrolment, and the deadline. */
export function restrictedSessionValues(
  session: Pick<SessionRecord, 'restrictions' | 'idleExpiresAt'>,
  deadline: number,
): { restrictions: SessionRestriction[]; stepUpDeadline: number; idleExpiresAt: number } {
  const kept = session.restrictions.filter(
    (each) => each !== 'MFA_ENROLLMENT_REQUIRED' && each !== 'MFA_REQUIRED',
  );
  return {
    restrictions: [...kept, 'MFA_REQUIRED'],
    stepUpDeadline: deadline,
    idleExpiresAt: Math.min(session.idleExpiresAt, deadline),
  };
}

/**
 * What a session waiting for a second factor gets once the account has none left: no
 * MFA_REQUIRED and no deadline. Its idle expiry stays as it was; the next reissue moves it on.
 */
export function liftedSessionValues(session: Pick<SessionRecord, 'restrictions'>): {
  restrictions: SessionRestriction[];
  stepUpDeadline: null;
} {
  return {
    restrictions: session.restrictions.filter((each) => each !== 'MFA_REQUIRED'),
    stepUpDeadline: null,
  };
}
