import type { Clock } from '../../clock.js';
import type { RevocationChannel } from '../ports/revocation-channel.js';
import type { Store } from '../ports/store.js';
import { createRevocationFeed, type RevocationFeed } from './revocation-feed.js';
import { createSessionEndTail, type SessionEndTail } from './session-end-tail.js';
import {
  createSessionEndedStreams,
  type SessionEndedStreams,
  type StreamLimits,
} from './session-ended-streams.js';
import type { Timers } from './timers.js';

/** How often the tail reads the store when no announcement has woken it. */
export const TAIL_POLL_INTERVAL_MS = 500;

/** One instance's view of sessions ending: the tail of the records and the open streams. */
export interface LiveSessions {
  readonly tail: SessionEndTail;
  readonly streams: SessionEndedStreams;
  /** The `GET /revocations` connections. */
  readonly feed: RevocationFeed;
  /** Starts following the records. */
  start(): Promise<void>;
  /** Completes every stream and feed connection, and stops following: the instance is stopping. */
  close(): void;
}

export interface LiveSessionsDeps {
  readonly store: Pick<Store, 'revocations' | 'sessions'>;
  /** Announcements wake the tail at once; it polls all the same. */
  readonly channel: RevocationChannel;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly limits: StreamLimits;
  /** ACCESS_TOKEN_TTL, in seconds. */
  readonly accessTokenTtl: number;
  readonly onReadError: (error: unknown) => void;
  readonly pollIntervalMs?: number;
}

export function createLiveSessions(deps: LiveSessionsDeps): LiveSessions {
  const tail = createSessionEndTail({
    revocations: deps.store.revocations,
    timers: deps.timers,
    pollIntervalMs: deps.pollIntervalMs ?? TAIL_POLL_INTERVAL_MS,
    onReadError: deps.onReadError,
  });
  const streams = createSessionEndedStreams({
    clock: deps.clock,
    timers: deps.timers,
    limits: deps.limits,
    findSession: (id) => deps.store.sessions.findById(id),
    onReadError: deps.onReadError,
  });
  tail.listen((records) => streams.deliver(records));
  const feed = createRevocationFeed({
    revocations: deps.store.revocations,
    tail,
    clock: deps.clock,
    timers: deps.timers,
    accessTokenTtl: deps.accessTokenTtl,
    onReadError: deps.onReadError,
  });
  // Any announcement, or a channel that restarted (announcements may have been missed): read.
  const unsubscribe = deps.channel.subscribe({
    revoked: () => tail.wake(),
    reset: () => tail.wake(),
  });
  return {
    tail,
    streams,
    feed,
    start: () => tail.start(),
    close() {
      unsubscribe();
      streams.closeAll();
      feed.closeAll();
      tail.close();
    },
  };
}
