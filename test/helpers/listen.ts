import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthServer } from '../../src/server.js';

export interface ListeningSocket {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  close(): Promise<void>;
}

export interface Listening extends ListeningSocket {
  /** `<origin>/graphql`. */
  readonly url: string;
}

/** Serves `handler` on a free port (port 0) of the loopback interface. */
export async function listenOnFreePort(handler: RequestListener): Promise<ListeningSocket> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Serves a test app's yoga on a real socket, for tests where the socket is the point. */
export async function listen(yoga: AuthServer): Promise<Listening> {
  const socket = await listenOnFreePort(yoga);
  return { ...socket, url: `${socket.origin}${yoga.graphqlEndpoint}` };
}
