import { LRUCache } from 'lru-cache';
import type { AuthenticationFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { SessionRecord, SessionRestriction, UserRecord } from '../ports/records.js';
import type { Revocation, RevocationChannel } from '../ports/revocation-channel.js';
import type { SessionStore } from '../ports/store.js';
import { findSessionFailure } from './session-state.js';

/** Decides, on every protected request, whether a token's session may still be used. */
export interface SessionLiveness {
  /** Null when live; otherwise the reason to refuse, exactly as {@link findSessionFailure}. */
  check(sessionId: string, userId: string, now: number): Promise<AuthenticationFailure | null>;
  /** As {@link check}, and for a live session the restrictions it holds now. */
  inspect(sessionId: string, userId: string, now: number): Promise<SessionInspection>;
}

/** A live session as a request sees it. */
export interface LiveSessionState {
  readonly restrictions: readonly SessionRestriction[];
  /** The session's user, when it was read with the session (one snapshot); null otherwise. */
  readonly user: UserRecord | null;
}

/** A session's liveness and, when live, its restrictions as the store holds them. */
export type SessionInspection = Result<LiveSessionState, AuthenticationFailure>;

/** What the store's session says: its failure, or its restrictions when live. */
function inspectSession(
  session: SessionRecord | null,
  userId: string,
  now: number,
  user: UserRecord | null = null,
): SessionInspection {
  const failed = findSessionFailure(session, userId, now);
  if (failed !== null || session === null) return failure(failed ?? 'SESSION_REVOKED');
  return success({ restrictions: session.restrictions, user });
}

function failureOf(inspection: SessionInspection): AuthenticationFailure | null {
  return inspection.ok ? null : inspection.failure;
}

/** A liveness check that also forgets what it learnt when asked to. */
export interface CachedSessionLiveness extends SessionLiveness {
  /** How many sessions are cached now. */
  readonly size: number;
  /** Stops listening to the channel and empties the cache. */
  close(): void;
}

export interface SessionLivenessCacheOptions {
  readonly maxEntries: number;
  /** No entry is served once it is older than this, by the `now` callers pass. */
  readonly maxAgeMs: number;
}

type SessionReader = Pick<SessionStore, 'findById'>;

/**
 * Reads the session from the store on every check: a revocation takes effect on the very next
 * request. The default, and the only safe choice without a revocation channel. The user is read
 * in the same statement, so a request answering with its own user (`me`) reads the store once.
 */
export function readSessionLivenessFromStore(
  sessions: Pick<SessionStore, 'findWithUser'>,
): SessionLiveness {
  async function inspect(sessionId: string, userId: string, now: number) {
    const found = await sessions.findWithUser(sessionId);
    return inspectSession(found?.session ?? null, userId, now, found?.user ?? null);
  }
  return {
    inspect,
    check: async (sessionId, userId, now) => failureOf(await inspect(sessionId, userId, now)),
  };
}

interface LiveSession {
  readonly userId: string;
  readonly expiresAt: number;
  readonly idleExpiresAt: number;
  readonly restrictions: readonly SessionRestriction[];
  readonly cachedAt: number;
}

/**
 * Remembers sessions found live, so most requests skip the store. Security contract: a cached
 * answer is given only while the channel is healthy (revocations from every instance are known
 * to arrive), only for an entry younger than `maxAgeMs`, and only when it says live or names
 * another user; an entry that looks expired is re-read, because a rotation may have extended
 * the session since. Revocations drop entries at once, and a store read that overlapped a
 * revocation or a reset is never cached, so a revoked session cannot come back from a stale read.
 * Revoked sessions are never cached at all. Past `maxEntries`, the least recently served entry
 * goes first. Ages are measured here by the caller's `now` rather than by lru-cache's TTL, which
 * runs on `performance.now()` and cannot tell a clock that went backwards.
 */
export function createCachedSessionLiveness(
  sessions: SessionReader,
  channel: RevocationChannel,
  options: SessionLivenessCacheOptions,
): CachedSessionLiveness {
  const { maxEntries, maxAgeMs } = options;
  // Bounded by count, each entry counting one, without `max`'s up-front allocation of every slot.
  // lru-cache needs room for one; with `maxEntries` 0, nothing is ever filled.
  const entries = new LRUCache<string, LiveSession>({
    maxSize: Math.max(1, maxEntries),
    sizeCalculation: () => 1,
  });
  // Bumped by every revocation and reset; a read that saw another epoch start is not cached.
  let epoch = 0;

  function forgetRevoked(revocation: Revocation): void {
    epoch++;
    if (revocation.kind === 'session') {
      entries.delete(revocation.sessionId);
      return;
    }
    const doomed = [...entries.entries()].filter(
      ([id, entry]) => entry.userId === revocation.userId && id !== revocation.exceptSessionId,
    );
    for (const [id] of doomed) entries.delete(id);
  }

  const unsubscribe = channel.subscribe({
    revoked: forgetRevoked,
    reset() {
      epoch++;
      entries.clear();
    },
  });

  function cachedAnswer(
    sessionId: string,
    userId: string,
    now: number,
  ): SessionInspection | undefined {
    const entry = entries.peek(sessionId);
    if (entry === undefined) return undefined;
    if (now - entry.cachedAt >= maxAgeMs || now < entry.cachedAt) {
      entries.delete(sessionId);
      return undefined;
    }
    // Only the store can say whether a rotation moved the idle expiry forward.
    if (now >= entry.expiresAt || now >= entry.idleExpiresAt) return undefined;
    entries.get(sessionId); // only an answer served counts as use
    // A session never changes hands, so another user's token stays invalid.
    return entry.userId === userId
      ? success({ restrictions: entry.restrictions, user: null })
      : failure('TOKEN_INVALID');
  }

  return {
    get size() {
      return entries.size;
    },
    async check(sessionId, userId, now) {
      return failureOf(await this.inspect(sessionId, userId, now));
    },
    async inspect(sessionId, userId, now) {
      const healthy = channel.isHealthy();
      if (healthy) {
        const cached = cachedAnswer(sessionId, userId, now);
        if (cached !== undefined) return cached;
      }
      const readEpoch = epoch;
      const session = await sessions.findById(sessionId);
      const inspection = inspectSession(session, userId, now);
      // Fill only from a read that no revocation or reset overlapped, and only while
      // announcements arrive: entries learnt while deaf could miss a revocation.
      if (
        session !== null &&
        inspection.ok &&
        maxEntries > 0 &&
        epoch === readEpoch &&
        healthy &&
        channel.isHealthy()
      ) {
        entries.set(sessionId, {
          userId: session.userId,
          expiresAt: session.expiresAt,
          idleExpiresAt: session.idleExpiresAt,
          restrictions: session.restrictions,
          cachedAt: now,
        });
      }
      return inspection;
    },
    close() {
      unsubscribe();
      epoch++;
      entries.clear();
    },
  };
}
