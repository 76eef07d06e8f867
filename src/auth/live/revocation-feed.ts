import type { Clock } from '../../clock.js';
import type { SessionEndRecord } from '../ports/records.js';
import type { RevocationStore } from '../ports/store.js';
import { type SessionEndReason, sessionEndReasonOf } from '../sessions/session-end-reason.js';
import { CLOCK_TOLERANCE_SECONDS } from '../tokens/token-types.js';
import type { SessionEndTail } from './session-end-tail.js';
import type { Timers } from './timers.js';

/** What `GET /revocations` sends (names fixed by issue 16). */
export type FeedEvent =
  | { readonly kind: 'revoked'; readonly id: string; readonly data: RevokedData }
  /** Drop your state and trust nothing cached: what follows is everything that still matters. */
  | { readonly kind: 'reset' }
  | { readonly kind: 'heartbeat' };

export interface RevokedData {
  readonly sid: string;
  readonly sub: string;
  /** The latest moment, in seconds, at which an access token of the session can be valid. */
  readonly exp: number;
  readonly reason: SessionEndReason;
}

export const HEARTBEAT_INTERVAL_MS = 5_000;
const PAGE = 500;

/** The feed connections of one instance. */
export interface RevocationFeed {
  /**
   * Opens a connection: replays what can still matter after `lastEventId` (everything kept, for
   * none; a `reset` first for a cursor too old or not ours), then sends each revocation as it
   * commits, and a heartbeat every 5 s. The answer closes it.
   */
  open(lastEventId: string | null, send: (event: FeedEvent) => void, end: () => void): () => void;
  readonly size: number;
  /** Ends every connection: the instance is stopping. */
  closeAll(): void;
}

export interface RevocationFeedDeps {
  readonly revocations: Pick<RevocationStore, 'listAfter'>;
  readonly tail: Pick<SessionEndTail, 'listen'>;
  readonly clock: Clock;
  readonly timers: Timers;
  /** ACCESS_TOKEN_TTL, in seconds: no access token outlives its session's end by more. */
  readonly accessTokenTtl: number;
  readonly onReadError: (error: unknown) => void;
}

/**
 * A cursor is the record's end time and its position: the time says whether the records after
 * it can all still be kept (retention deletes only what ended over one token lifetime ago).
 */
function cursorOf(record: SessionEndRecord): string {
  return `${record.endedAt}.${record.position}`;
}

function readCursor(cursor: string): { endedAt: number; position: string } | null {
  const match = /^([0-9]{1,15})\.(.+)$/.exec(cursor);
  if (match === null) return null;
  return { endedAt: Number(match[1]), position: match[2] ?? '' };
}

export function createRevocationFeed(deps: RevocationFeedDeps): RevocationFeed {
  const connections = new Set<() => void>();
  const windowMs = (deps.accessTokenTtl + CLOCK_TOLERANCE_SECONDS) * 1000;

  /** Latest possible expiry of the session's access tokens, in whole seconds, rounded up. */
  function expiryOf(record: SessionEndRecord): number {
    return Math.ceil(
      Math.min(record.endedAt + deps.accessTokenTtl * 1000, record.sessionExpiresAt) / 1000,
    );
  }

  return {
    open(lastEventId, send, end) {
      let position: string | null = null;
      let reading: Promise<void> | null = null;
      let again = false;
      let closed = false;

      async function readOn(): Promise<void> {
        for (;;) {
          const page = await deps.revocations.listAfter(position, PAGE);
          if (closed) return;
          if (page === null) throw new Error(`The store refused its own position ${position}.`);
          const now = deps.clock.now();
          for (const record of page) {
            position = record.position;
            const exp = expiryOf(record);
            // Past its expiry and the tolerance, no token of the session can be accepted.
            if ((exp + CLOCK_TOLERANCE_SECONDS) * 1000 <= now) continue;
            send({
              kind: 'revoked',
              id: cursorOf(record),
              data: {
                sid: record.sessionId,
                sub: record.userId,
                exp,
                reason: sessionEndReasonOf(record.reason),
              },
            });
          }
          if (page.length < PAGE) return;
        }
      }

      function read(): void {
        if (closed) return;
        if (reading !== null) {
          again = true;
          return;
        }
        reading = readOn()
          .catch((error: unknown) => {
            deps.onReadError(error);
            // A consumer must not believe it is up to date: end, so that it reconnects.
            close();
          })
          .finally(() => {
            reading = null;
            if (again) {
              again = false;
              read();
            }
          });
      }

      const stopListening = deps.tail.listen(read);
      const stopHeartbeat = deps.timers.repeat(HEARTBEAT_INTERVAL_MS, () =>
        send({ kind: 'heartbeat' }),
      );
      function close(): void {
        if (closed) return;
        closed = true;
        stopListening();
        stopHeartbeat();
        connections.delete(close);
        end();
      }
      connections.add(close);

      const cursor = lastEventId === null ? null : readCursor(lastEventId);
      if (lastEventId !== null) {
        // Not ours, or older than what is kept: records after it may be gone.
        if (cursor === null || cursor.endedAt < deps.clock.now() - windowMs) {
          send({ kind: 'reset' });
        } else {
          position = cursor.position;
        }
      }
      // A position this store never handed out (another database, a garbled id): reset too.
      const start = position;
      void deps.revocations.listAfter(start, 1).then(
        (probe) => {
          if (closed) return;
          if (probe === null) {
            send({ kind: 'reset' });
            position = null;
          }
          read();
        },
        (error: unknown) => {
          deps.onReadError(error);
          close();
        },
      );
      return close;
    },
    get size() {
      return connections.size;
    },
    closeAll() {
      for (const close of [...connections]) close();
    },
  };
}
