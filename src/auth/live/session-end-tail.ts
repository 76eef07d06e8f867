import type { SessionEndRecord } from '../ports/records.js';
import type { RevocationStore } from '../ports/store.js';
import type { Timers } from './timers.js';

/**
 * Follows the revocation records as they commit, on whichever instance: one reader per
 * instance, whose pages every open stream of the instance is told of. The store is the truth:
 * an announcement on the revocation channel only makes the next read start at once, and a
 * poll every `pollIntervalMs` finds what no announcement told of (another process's CLI, an
 * instance that could not publish). The store's order guarantees that continuing after the
 * last record read skips none (see RevocationStore.listAfter).
 */
export interface SessionEndTail {
  /**
   * Reads every record kept so far, then starts polling. The records read at start are
   * delivered too: each names a session already ended, so a stream opened meanwhile can only
   * learn the truth sooner. Should the store not answer, the first poll that reads does this.
   */
  start(): Promise<void>;
  /** A record may have been written: read now (or once the read under way is done). */
  wake(): void;
  /** Hears every page read after `start`, in order. The answer removes the listener. */
  listen(listener: (records: readonly SessionEndRecord[]) => void): () => void;
  close(): void;
}

export interface SessionEndTailOptions {
  readonly revocations: Pick<RevocationStore, 'listAfter'>;
  readonly timers: Timers;
  readonly pollIntervalMs: number;
  /** A read failed; the next wake or poll tries again from the same place. */
  readonly onReadError: (error: unknown) => void;
}

const PAGE = 500;

export function createSessionEndTail(options: SessionEndTailOptions): SessionEndTail {
  const { revocations, timers } = options;
  const listeners = new Set<(records: readonly SessionEndRecord[]) => void>();
  let position: string | null = null;
  let reading: Promise<void> | null = null;
  let again = false;
  let stopPolling: (() => void) | null = null;
  let closed = false;

  async function readToEnd(): Promise<void> {
    for (;;) {
      const page = await revocations.listAfter(position, PAGE);
      if (page === null) throw new Error(`The store refused its own position ${position}.`);
      if (page.length === 0) return;
      position = page[page.length - 1]?.position ?? position;
      for (const listener of listeners) listener(page);
      if (page.length < PAGE) return;
    }
  }

  function read(): void {
    if (closed) return;
    if (reading !== null) {
      again = true;
      return;
    }
    reading = readToEnd()
      .catch(options.onReadError)
      .finally(() => {
        reading = null;
        if (again) {
          again = false;
          read();
        }
      });
  }

  return {
    async start() {
      read();
      await reading;
      if (!closed) stopPolling = timers.repeat(options.pollIntervalMs, read);
    },
    wake: read,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      stopPolling?.();
      listeners.clear();
    },
  };
}
