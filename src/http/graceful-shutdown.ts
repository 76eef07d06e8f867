import type { Server, ServerResponse } from 'node:http';

export interface ShutdownResult {
  /** True when requests were still running at the deadline and their connections were cut. */
  readonly forced: boolean;
}

/**
 * Prepares `server` for a graceful stop and returns the function that performs it:
 *
 * 1. stop accepting connections, and close the idle keep-alive ones;
 * 2. let in-flight requests finish, answering them with `Connection: close` so each connection
 *    ends with its response instead of idling until the keep-alive timeout;
 * 3. at `timeoutMs`, cut whatever is still open.
 *
 * The returned promise resolves once every connection is closed. Call it once.
 */
export function prepareGracefulShutdown(
  server: Server,
  timeoutMs: number,
): () => Promise<ShutdownResult> {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;

  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    if (stopping) closeAfterResponse(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (stopping) server.closeIdleConnections();
    });
  });

  return () => {
    stopping = true;
    return new Promise<ShutdownResult>((resolve) => {
      let forced = false;
      const deadline = setTimeout(() => {
        forced = true;
        server.closeAllConnections();
      }, timeoutMs);
      server.close(() => {
        clearTimeout(deadline);
        resolve({ forced });
      });
      for (const response of inFlight) closeAfterResponse(response);
      server.closeIdleConnections();
    });
  };
}

function closeAfterResponse(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
