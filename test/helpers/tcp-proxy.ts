import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy on a free loopback port whose connections a test can cut and restore. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every proxied connection and refuses new ones until {@link restore}. */
  cut(): void;
  /**
   * Holds back what the server sends, keeping the connections open: a network that stopped
   * delivering, not one that failed. {@link restore} delivers what was held back.
   */
  stall(): void;
  /**
   * A network that goes silent with no reset: every byte is accepted and none is forwarded, in
   * both directions, and a side that closes is not told to the other. New connections are
   * accepted, and stay silent too (nothing is sent to the server for them). Only the clients'
   * own timeouts can end their waits.
   *
   * {@link restore} heals it as TCP heals a partition it has not given up on: what was held is
   * delivered in order (new connections reach the server then), and a close made meanwhile is
   * passed on after it.
   */
  blackhole(): void;
  /** Lets new connections through again, and ends a stall or a blackhole. */
  restore(): void;
  /** Connections open now, silent ones included: to see that clients let go of theirs. */
  readonly openConnections: number;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  /** Null for a connection accepted during a blackhole, until it is restored. */
  upstream: Socket | null;
  /** From the server, held by a stall or a blackhole. */
  readonly toClient: Buffer[];
  /** From the client, held by a blackhole. */
  readonly toServer: Buffer[];
  /** Swallows everything, closes included, until restored. */
  silent: boolean;
  clientClosed: boolean;
  upstreamClosed: boolean;
}

/**
 * Forwards every connection to `target`. A cut drops both sides at once, which a client sees
 * as the server going away, while the server behind it (a shared Redis) keeps running.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let refusing = false;
  let stalled = false;
  let blackholed = false;

  function drop(link: Link): void {
    links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  }

  function attachUpstream(link: Link): Socket {
    const upstream = connect(target.port, target.host);
    link.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (link.silent || stalled) link.toClient.push(chunk);
      else link.client.write(chunk);
    });
    const onGone = (): void => {
      if (link.silent) link.upstreamClosed = true;
      else drop(link);
    };
    upstream.on('error', onGone);
    upstream.on('close', onGone);
    return upstream;
  }

  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const link: Link = {
      client,
      upstream: null,
      toClient: [],
      toServer: [],
      silent: blackholed,
      clientClosed: false,
      upstreamClosed: false,
    };
    links.add(link);
    if (!link.silent) attachUpstream(link);
    client.on('data', (chunk: Buffer) => {
      if (link.silent) link.toServer.push(chunk);
      else link.upstream?.write(chunk);
    });
    const onGone = (): void => {
      if (link.silent) link.clientClosed = true;
      else drop(link);
    };
    client.on('error', onGone);
    client.on('close', onGone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  /** Ends a link's silence: what it held goes through, then the closes it swallowed. */
  function heal(link: Link): void {
    link.silent = false;
    if (link.clientClosed && (link.upstream === null || link.upstreamClosed)) {
      drop(link);
      return;
    }
    const upstream = link.upstream ?? attachUpstream(link);
    for (const chunk of link.toServer.splice(0)) upstream.write(chunk);
    if (!stalled) for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
    if (link.clientClosed) {
      links.delete(link);
      upstream.end();
    } else if (link.upstreamClosed) {
      links.delete(link);
      link.client.end();
    }
  }

  function destroyAll(): void {
    for (const link of links) drop(link);
  }

  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      refusing = true;
      destroyAll();
    },
    stall() {
      stalled = true;
    },
    blackhole() {
      blackholed = true;
      for (const link of links) link.silent = true;
    },
    restore() {
      refusing = false;
      stalled = false;
      blackholed = false;
      for (const link of [...links]) {
        if (link.silent) heal(link);
        else for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
      }
    },
    get openConnections() {
      return links.size;
    },
    close() {
      refusing = true;
      destroyAll();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
