import type { Denylist } from './denylist.js';

export interface FeedClientOptions {
  readonly url: string;
  readonly token: string;
  readonly denylist: Denylist;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly onError: (error: unknown) => void;
}

/** Follows `GET /revocations`, reconnecting with Last-Event-ID; says when it last heard from it. */
export interface FeedClient {
  /** When the feed last sent anything (an event or a heartbeat), in ms; null before it has. */
  lastHeardAt(): number | null;
  close(): void;
}

const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];

export function followRevocationFeed(options: FeedClientOptions): FeedClient {
  let lastEventId: string | null = null;
  let lastHeard: number | null = null;
  let closed = false;
  let abort = new AbortController();
  let failures = 0;

  function handle(event: string, data: string, id: string | null): void {
    if (event === 'reset') {
      options.denylist.clear();
      return;
    }
    if (event !== 'revoked') return;
    const parsed = JSON.parse(data) as { sid?: unknown; exp?: unknown };
    if (typeof parsed.sid === 'string' && typeof parsed.exp === 'number') {
      options.denylist.add(parsed.sid, parsed.exp);
    }
    if (id !== null) lastEventId = id;
  }

  async function connectOnce(): Promise<void> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'text/event-stream',
    };
    if (lastEventId !== null) headers['last-event-id'] = lastEventId;
    const response = await options.fetch(options.url, { headers, signal: abort.signal });
    if (!response.ok || response.body === null) {
      throw new Error(`revocation feed answered ${response.status}`);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = 'message';
    let data: string[] = [];
    let id: string | null = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      lastHeard = options.now();
      failures = 0;
      buffer += value;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') {
          if (data.length > 0) handle(event, data.join('\n'), id);
          event = 'message';
          data = [];
          id = null;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') event = value;
          else if (name === 'data') data.push(value);
          else if (name === 'id') id = value;
        }
      }
    }
  }

  async function run(): Promise<void> {
    while (!closed) {
      try {
        await connectOnce();
      } catch (error) {
        if (closed) return;
        options.onError(error);
      }
      if (closed) return;
      const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 5_000;
      failures += 1;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      abort = new AbortController();
    }
  }
  void run();

  return {
    lastHeardAt: () => lastHeard,
    close() {
      closed = true;
      abort.abort();
    },
  };
}
