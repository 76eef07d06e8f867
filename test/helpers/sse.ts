/** One Server-Sent Event as a client sees it; comments (heartbeats) are counted apart. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export interface EventReader {
  /** The next event; rejects after `timeoutMs` or when the stream ends first. */
  next(timeoutMs?: number): Promise<ServerSentEvent>;
  /** Resolves when the stream has ended (after its last event). */
  readonly ended: Promise<void>;
  /** Comment lines received so far (`:` lines: pings, heartbeats). */
  readonly comments: number;
  /** Cancels the body (without waiting for the server to notice). */
  cancel(): Promise<void>;
}

/** Reads an SSE body as the EventSource algorithm does (one `data` line per line, blank ends). */
export function readEvents(body: ReadableStream<Uint8Array>): EventReader {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const queue: ServerSentEvent[] = [];
  const waiters: ((event: ServerSentEvent | null) => void)[] = [];
  let comments = 0;
  let finished = false;
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });

  function push(event: ServerSentEvent | null): void {
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(event);
    else if (event !== null) queue.push(event);
  }

  void (async () => {
    let buffer = '';
    let fields: { event: string; data: string[]; id: string | null } = {
      event: 'message',
      data: [],
      id: null,
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (line === '') {
            if (fields.data.length > 0 || fields.event !== 'message') {
              push({ event: fields.event, data: fields.data.join('\n'), id: fields.id });
            }
            fields = { event: 'message', data: [], id: null };
          } else if (line.startsWith(':')) {
            comments += 1;
          } else {
            const colon = line.indexOf(':');
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (name === 'event') fields.event = value;
            else if (name === 'data') fields.data.push(value);
            else if (name === 'id') fields.id = value;
          }
        }
      }
    } catch {
      // Cancelled or cut: the stream has ended either way.
    } finally {
      finished = true;
      while (waiters.length > 0) push(null);
      resolveEnded();
    }
  })();

  return {
    next(timeoutMs = 5_000) {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (finished) return Promise.reject(new Error('the stream has ended'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(settle);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`no event within ${timeoutMs} ms`));
        }, timeoutMs);
        function settle(event: ServerSentEvent | null): void {
          clearTimeout(timer);
          if (event === null) reject(new Error('the stream has ended'));
          else resolve(event);
        }
        waiters.push(settle);
      });
    },
    ended,
    get comments() {
      return comments;
    },
    // Not awaited: yoga's in-process `fetch` hands back a body whose cancel waits for the read
    // under way, which for a quiet stream never comes. Over a socket a disconnect is prompt
    // (test/http/revocation-feed.test.ts checks one).
    cancel: async () => {
      void reader.cancel().catch(() => undefined);
    },
  };
}
