import { Socket } from 'node:net';
import pg from 'pg';

/*
 * A pool in which no wait is longer than its bounds, even on a network that goes silent
 * without a reset (where TCP keepalive alone would take many minutes to notice):
 * - connecting, the handshake included, and waiting for a free connection: `connectMs`;
 * - each statement, on the server: `statement_timeout`, and a transaction left idle (its
 *   client vanished mid-way) ends after the same bound, releasing its locks;
 * - each answer, on the client: a connection in use that receives nothing for `statementMs`
 *   plus a short grace is destroyed. Its pending query fails at once, and so does whatever the
 *   caller sends next (a ROLLBACK), instead of each waiting out a timeout of its own; the pool
 *   then replaces the connection. pg's own `query_timeout` would fail the query but keep the
 *   silent connection, queueing the ROLLBACK behind it for a second full timeout.
 */

/** Lets the server's own `statement_timeout` error arrive before the client gives up. */
export const ANSWER_GRACE_MS = 250;

export interface PoolBounds {
  /** Opening a connection (the handshake included), or waiting for a free one. */
  readonly connectMs: number;
  /** A statement's run on the server, and the wait for its answer (plus the grace). */
  readonly statementMs: number;
}

export interface BoundedPoolOptions {
  readonly maxConnections: number;
  readonly bounds: PoolBounds;
  /** Told when an idle connection fails (the server restarted, say); the pool replaces it. */
  readonly onConnectionError?: (error: Error) => void;
}

/** A pg pool on `url` whose every wait is bounded as described above. Connects lazily. */
export function openBoundedPool(url: string, options: BoundedPoolOptions): pg.Pool {
  const { connectMs, statementMs } = options.bounds;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections,
    connectionTimeoutMillis: connectMs,
    statement_timeout: statementMs,
    idle_in_transaction_session_timeout: statementMs,
    // TCP keepalive still notices a peer that vanished while the connection sat idle.
    keepAlive: true,
  });
  const silenceMs = statementMs + ANSWER_GRACE_MS;
  // An idle client whose server went away emits 'error'; the pool drops it and reconnects on
  // the next query. Without a listener the process would crash.
  pool.on('error', (error) => options.onConnectionError?.(error));
  pool.on('connect', (client) => {
    // A connection that fails while in use fails its query, which reports the error; this
    // listener only keeps its 'error' event (pg-pool listens on idle clients alone) from
    // crashing the process.
    client.on('error', ignoreReportedError);
    const socket = socketOf(client);
    socket?.on('timeout', () => {
      socket.destroy(new Error(`PostgreSQL sent nothing for ${silenceMs} ms; connection dropped`));
    });
  });
  // The client-side bound runs while a connection is in use: an idle one may stay quiet.
  pool.on('acquire', (client) => socketOf(client)?.setTimeout(silenceMs));
  pool.on('release', (_error, client) => socketOf(client)?.setTimeout(0));
  return pool;
}

function socketOf(client: pg.PoolClient): Socket | null {
  const stream = client.connection.stream;
  // A TLS connection is a TLSSocket, itself a Socket; a custom stream gets no client-side bound.
  return stream instanceof Socket ? stream : null;
}

function ignoreReportedError(): void {
  // See the 'connect' listener above.
}
