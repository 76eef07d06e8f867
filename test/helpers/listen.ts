import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthServer } from '../../src/server.js';

export interface Listening {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** `<origin>/graphql`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a test app's yoga on a real socket, on a free port (port 0) of the loopback interface. */
export async function listen(yoga: AuthServer): Promise<Listening> {
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    server,
    origin,
    url: `${origin}${yoga.graphqlEndpoint}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
