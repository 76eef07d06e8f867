import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { FeedEvent, RevocationFeed } from '../auth/live/revocation-feed.js';

export const REVOCATIONS_PATH = '/revocations';

/**
 * `GET /revocations`: the revocation feed as Server-Sent Events, for other subgraphs. Behind
 * `Authorization: Bearer <REVOCATION_FEED_TOKEN>`; without the token configured the path does
 * not exist (yoga's 404). The grammar (issue 16): `event: revoked` with an `id:` cursor and
 * `data: {"sid","sub","exp","reason"}`; `event: reset`; a `:` comment every 5 s.
 */
export function useRevocationFeed(token: string | undefined, feed: RevocationFeed): Plugin {
  if (token === undefined) return {};
  const expected = digestOf(`Bearer ${token}`);
  return {
    onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== REVOCATIONS_PATH) return;
      if (request.method !== 'GET') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET' } }));
        return;
      }
      if (!isSameSecret(request.headers.get('authorization'), expected)) {
        endResponse(
          new fetchAPI.Response('Unauthorized\n', {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="revocations"' },
          }),
        );
        return;
      }
      endResponse(streamFeed(feed, request.headers.get('last-event-id'), fetchAPI));
    },
  };
}

function streamFeed(
  feed: RevocationFeed,
  lastEventId: string | null,
  fetchAPI: { Response: typeof Response; ReadableStream: typeof ReadableStream },
): Response {
  const encoder = new TextEncoder();
  let close: () => void = () => undefined;
  let cancelled = false;
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      // A first comment flushes the headers through proxies that wait for a body.
      controller.enqueue(encoder.encode(': revocations\n\n'));
      close = feed.open(
        lastEventId,
        (event) => controller.enqueue(encoder.encode(frameOf(event))),
        () => {
          // Ended by the feed (the instance stopping, a read failing): the client reconnects.
          if (!cancelled) controller.close();
        },
      );
    },
    cancel() {
      cancelled = true;
      close();
    },
  });
  return new fetchAPI.Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx and the like would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    },
  });
}

function frameOf(event: FeedEvent): string {
  switch (event.kind) {
    case 'revoked':
      return `event: revoked\nid: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`;
    case 'reset':
      return 'event: reset\ndata: {}\n\n';
    case 'heartbeat':
      return ': heartbeat\n\n';
  }
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time, on digests of equal length: neither the content nor the length leaks. */
function isSameSecret(presented: string | null, expected: Buffer): boolean {
  return presented !== null && timingSafeEqual(digestOf(presented), expected);
}
