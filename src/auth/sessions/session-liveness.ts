import type { AuthenticationFailure } from '../../errors.js';
import type { Revocation, RevocationChannel } from '../ports/revocation-channel.js';
import type { SessionStore } from '../ports/store.js';
import { findSessionFailure } from './session-state.js';

/** Decides, on every protected request, whether a token's session may still be used. */
export interface SessionLiveness {
  /** Null when live; otherwise the reason to refuse, exactly as {@link findSessionFailure}. */
  check(sessionId: string, userId: string, now: number): Promise<AuthenticationFailure | null>;
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
 * request. The default, and the only safe choice without a revocation channel.
 */
export function readSessionLivenessFromStore(sessions: SessionReader): SessionLiveness {
  return {
    async check(sessionId, userId, now) {
      return findSessionFailure(await sessions.findById(sessionId), userId, now);
    },
  };
}

interface LiveSession {
  readonly userId: string;
  readonly expiresAt: number;
  readonly idleExpiresAt: number;
  readonly cachedAt: number;
}

/**
 * Remembers sessions found live, so most requests skip the store. Security contract: a cached
 * answer is given only while the channel is healthy (revocations from every instance are known
 * to arrive), only for an entry younger than `maxAgeMs`, and only when it says live or names
 * another user; an entry that looks expired is re-read, because a rotation may have extended
 * the session since. Revocations drop entries at once, and a store read that overlapped a
 * revocation or a reset is never cached, so a revoked session cannot come back from a stale read.
 * Revoked sessions are never cached at all.
 */
export function createCachedSessionLiveness(
  sessions: SessionReader,
  channel: RevocationChannel,
  options: SessionLivenessCacheOptions,
): CachedSessionLiveness {
  const { maxEntries, maxAgeMs } = options;
  // Map order is recency order: a hit re-inserts its entry at the end.
  const entries = new Map<string, LiveSession>();
  // Bumped by every revocation and reset; a read that saw another epoch start is not cached.
  let epoch = 0;

  function forgetRevoked(revocation: Revocation): void {
    epoch++;
    if (revocation.kind === 'session') {
      entries.delete(revocation.sessionId);
      return;
    }
    for (const [id, entry] of entries) {
      if (entry.userId === revocation.userId && id !== revocation.exceptSessionId) {
        entries.delete(id);
      }
    }
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
  ): AuthenticationFailure | null | undefined {
    const entry = entries.get(sessionId);
    if (entry === undefined) return undefined;
    if (now - entry.cachedAt >= maxAgeMs || now < entry.cachedAt) {
      entries.delete(sessionId);
      return undefined;
    }
    // Only the store can say whether a rotation moved the idle expiry forward.
    if (now >= entry.expiresAt || now >= entry.idleExpiresAt) return undefined;
    entries.delete(sessionId);
    entries.set(sessionId, entry);
    // A session never changes hands, so another user's token stays invalid.
    return entry.userId === userId ? null : 'TOKEN_INVALID';
  }

  function remember(sessionId: string, entry: LiveSession): void {
    entries.delete(sessionId);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(sessionId, entry);
  }

  return {
    get size() {
      return entries.size;
    },
    async check(sessionId, userId, now) {
      const healthy = channel.isHealthy();
      if (healthy) {
        const cached = cachedAnswer(sessionId, userId, now);
        if (cached !== undefined) return cached;
      }
      const readEpoch = epoch;
      const session = await sessions.findById(sessionId);
      const failure = findSessionFailure(session, userId, now);
      // Fill only from a read that no revocation or reset overlapped, and only while
      // announcements arrive: entries learnt while deaf could miss a revocation.
      if (
        session !== null &&
        failure === null &&
        maxEntries > 0 &&
        epoch === readEpoch &&
        healthy &&
        channel.isHealthy()
      ) {
        remember(sessionId, {
          userId: session.userId,
          expiresAt: session.expiresAt,
          idleExpiresAt: session.idleExpiresAt,
          cachedAt: now,
        });
      }
      return failure;
    },
    close() {
      unsubscribe();
      epoch++;
      entries.clear();
    },
  };
}
