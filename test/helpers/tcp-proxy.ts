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
  /** Lets new connections through again, and ends a stall. */
  restore(): void;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly held: Buffer[];
}

/**
 * Forwards every connection to `target`. A cut drops both sides at once, which a client sees
 * as the server going away, while the server behind it (a shared Redis) keeps running.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let refusing = false;
  let stalled = false;

  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const link: Link = { client, upstream, held: [] };
    links.add(link);
    function drop(): void {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    }
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (stalled) link.held.push(chunk);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  function destroyAll(): void {
    for (const link of links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    links.clear();
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
    restore() {
      refusing = false;
      stalled = false;
      for (const link of links) {
        for (const chunk of link.held.splice(0)) link.client.write(chunk);
      }
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
