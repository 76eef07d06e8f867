import type { Clock } from '../../clock.js';
import { failure, type Result, success } from '../../result.js';
import type { SessionEndRecord, SessionRecord } from '../ports/records.js';
import { type SessionEndReason, sessionEndReasonOf } from '../sessions/session-end-reason.js';
import type { Viewer } from '../sessions/viewer.js';
import type { Timers } from './timers.js';

/** What a `sessionEnded` stream yields, once, before it completes. */
export type SessionEndedEvent =
  | {
      readonly kind: 'ended';
      readonly sessionId: string;
      readonly reason: SessionEndReason;
      readonly endedAt: number;
    }
  /** The access token the stream was opened with has expired: the client reopens with a new one. */
  | { readonly kind: 'expired' };

export interface StreamLimits {
  /** Open streams one user may hold, over every transport. */
  readonly perUser: number;
  /** Open streams one client address may hold. */
  readonly perAddress: number;
}

/** Who opened a stream, and from where (the address the rate limits count by). */
export interface StreamOwner {
  readonly viewer: Viewer;
  readonly address: string | null;
}

/** The open `sessionEnded` streams of one instance. */
export interface SessionEndedStreams {
  /**
   * Opens a stream for the viewer's own session. It yields one event and completes: the end of
   * the session, as the store recorded it, or the expiry of the access token it was opened
   * with. Fails with SUBSCRIPTION_LIMIT when the user or the address holds the most allowed.
   */
  open(owner: StreamOwner): Result<AsyncIterableIterator<SessionEndedEvent>, 'SUBSCRIPTION_LIMIT'>;
  /** Delivers records read from the store to the streams of their sessions. */
  deliver(records: readonly SessionEndRecord[]): void;
  /** Completes every stream, with no event: the instance is stopping. */
  closeAll(): void;
  /** How many streams are open. */
  readonly size: number;
}

export interface SessionEndedStreamsDeps {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly limits: StreamLimits;
  /**
   * Reads the session once the stream is registered, so that an end that committed between the
   * authentication and the registration, before the tail could deliver it, is not missed.
   */
  readonly findSession: (id: string) => Promise<SessionRecord | null>;
  readonly onReadError: (error: unknown) => void;
}

interface OpenStream {
  readonly owner: StreamOwner;
  settle(event: SessionEndedEvent | null): void;
}

const ADDRESS_UNKNOWN = '';

export function createSessionEndedStreams(deps: SessionEndedStreamsDeps): SessionEndedStreams {
  const bySession = new Map<string, Set<OpenStream>>();
  const perUser = new Map<string, number>();
  const perAddress = new Map<string, number>();
  let size = 0;

  function count(counts: Map<string, number>, key: string, change: 1 | -1): void {
    const next = (counts.get(key) ?? 0) + change;
    if (next === 0) counts.delete(key);
    else counts.set(key, next);
  }

  function register(stream: OpenStream): void {
    const { viewer, address } = stream.owner;
    let streams = bySession.get(viewer.sessionId);
    if (streams === undefined) {
      streams = new Set();
      bySession.set(viewer.sessionId, streams);
    }
    streams.add(stream);
    count(perUser, viewer.userId, 1);
    count(perAddress, address ?? ADDRESS_UNKNOWN, 1);
    size += 1;
  }

  function unregister(stream: OpenStream): void {
    const { viewer, address } = stream.owner;
    const streams = bySession.get(viewer.sessionId);
    if (streams === undefined || !streams.delete(stream)) return;
    if (streams.size === 0) bySession.delete(viewer.sessionId);
    count(perUser, viewer.userId, -1);
    count(perAddress, address ?? ADDRESS_UNKNOWN, -1);
    size -= 1;
  }

  function endOf(session: SessionRecord): SessionEndedEvent | null {
    if (session.revokedAt === null || session.revokedReason === null) return null;
    return {
      kind: 'ended',
      sessionId: session.id,
      reason: sessionEndReasonOf(session.revokedReason),
      endedAt: session.revokedAt,
    };
  }

  return {
    open(owner) {
      const { viewer, address } = owner;
      if (
        (perUser.get(viewer.userId) ?? 0) >= deps.limits.perUser ||
        (perAddress.get(address ?? ADDRESS_UNKNOWN) ?? 0) >= deps.limits.perAddress
      ) {
        return failure('SUBSCRIPTION_LIMIT');
      }
      const iterator = createOneEventIterator((stream) => {
        register(stream);
        const expiresInMs = viewer.accessTokenExpiresAt * 1000 - deps.clock.now();
        const cancelExpiry = deps.timers.schedule(expiresInMs, () =>
          stream.settle({ kind: 'expired' }),
        );
        deps.findSession(viewer.sessionId).then((session) => {
          const ended = session === null ? null : endOf(session);
          if (ended !== null) stream.settle(ended);
        }, deps.onReadError);
        return () => {
          cancelExpiry();
          unregister(stream);
        };
      }, owner);
      return success(iterator);
    },
    deliver(records) {
      for (const record of records) {
        const streams = bySession.get(record.sessionId);
        if (streams === undefined) continue;
        const event: SessionEndedEvent = {
          kind: 'ended',
          sessionId: record.sessionId,
          reason: sessionEndReasonOf(record.reason),
          endedAt: record.endedAt,
        };
        for (const stream of [...streams]) stream.settle(event);
      }
    },
    closeAll() {
      for (const streams of [...bySession.values()]) {
        for (const stream of [...streams]) stream.settle(null);
      }
    },
    get size() {
      return size;
    },
  };
}

/**
 * An iterator that yields at most one event, then is done. Hand-written rather than an async
 * generator: a generator's `return()` waits for the `await` it is suspended at, so a client
 * that went away would hold its stream (and its place in the limits) until the event came.
 */
function createOneEventIterator(
  attach: (stream: OpenStream) => () => void,
  owner: StreamOwner,
): AsyncIterableIterator<SessionEndedEvent> {
  let pending: SessionEndedEvent | null | undefined;
  let waiting: ((result: IteratorResult<SessionEndedEvent>) => void) | null = null;
  let finished = false;
  // Assigned below, once attached; a settle during `attach` itself detaches afterwards.
  let detach: () => void = () => undefined;
  const done: IteratorResult<SessionEndedEvent> = { done: true, value: undefined };

  function finish(): void {
    if (finished) return;
    finished = true;
    detach();
  }

  const stream: OpenStream = {
    owner,
    settle(event) {
      if (finished || pending !== undefined) return;
      pending = event;
      detach();
      if (waiting !== null) {
        const wake = waiting;
        waiting = null;
        deliverPending(wake);
      }
    },
  };

  function deliverPending(resolve: (result: IteratorResult<SessionEndedEvent>) => void): void {
    const event = pending;
    pending = null;
    if (event === null || event === undefined) {
      finish();
      resolve(done);
      return;
    }
    resolve({ done: false, value: event });
  }

  const detachOnce = once(attach(stream));
  detach = detachOnce;
  if (pending !== undefined || finished) detachOnce();

  return {
    next() {
      if (finished) return Promise.resolve(done);
      if (pending !== undefined) {
        return new Promise((resolve) => deliverPending(resolve));
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      finish();
      if (waiting !== null) {
        const wake = waiting;
        waiting = null;
        wake(done);
      }
      return Promise.resolve(done);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function once(run: () => void): () => void {
  let ran = false;
  return () => {
    if (ran) return;
    ran = true;
    run();
  };
}
