import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

// The fault tests rest on what the proxy's blackhole does and does not do, so it is pinned
// here against a plain echo server: nothing crosses, nothing is reset, and a restore delivers.

/** How long "nothing happened" is watched for. */
const QUIET_MS = 300;

interface EchoServer {
  readonly server: Server;
  readonly port: number;
  /** Everything each accepted connection sent, in order of acceptance. */
  readonly received: string[];
  /** How many accepted connections have ended or closed. */
  ended: number;
}

async function startEchoServer(): Promise<EchoServer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const echo: EchoServer = {
    server,
    port: (server.address() as AddressInfo).port,
    received: [],
    ended: 0,
  };
  server.on('connection', (socket: Socket) => {
    const index = echo.received.push('') - 1;
    socket.on('data', (chunk: Buffer) => {
      echo.received[index] += chunk.toString();
      socket.write(chunk.toString().toUpperCase());
    });
    socket.on('end', () => {
      echo.ended++;
      socket.end();
    });
    socket.on('error', () => socket.destroy());
  });
  return echo;
}

interface Client {
  readonly socket: Socket;
  readonly heard: () => string;
  readonly closed: () => boolean;
}

async function connectClient(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  let heard = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    heard += chunk.toString();
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {
    closed = true;
  });
  await once(socket, 'connect');
  return { socket, heard: () => heard, closed: () => closed };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe('startTcpProxy: blackhole', () => {
  let echo: EchoServer;
  let proxy: TcpProxy;
  const clients: Client[] = [];

  beforeEach(async () => {
    echo = await startEchoServer();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echo.port });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await proxy.close();
    echo.server.close();
  });

  async function open(): Promise<Client> {
    const client = await connectClient(proxy.port);
    clients.push(client);
    return client;
  }

  it('forwards nothing either way and resets nothing, for old and new connections', async () => {
    const old = await open();
    old.socket.write('before');
    await waitFor(() => old.heard() === 'BEFORE');

    proxy.blackhole();
    old.socket.write('during');
    const fresh = await open(); // accepted: the connect succeeds
    fresh.socket.write('fresh');
    await sleep(QUIET_MS);

    expect(old.heard()).toBe('BEFORE');
    expect(fresh.heard()).toBe('');
    expect(echo.received).toEqual(['before']); // the new connection never reached the server
    expect([old.closed(), fresh.closed(), echo.ended]).toEqual([false, false, 0]);
    expect(proxy.openConnections).toBe(2);
  });

  it('keeps a close from crossing, and passes it on after what was held once restored', async () => {
    const leaving = await open();
    const staying = await open();
    await waitFor(() => echo.received.length === 2);
    proxy.blackhole();
    leaving.socket.end('last words');
    staying.socket.write('still here');
    await sleep(QUIET_MS);
    expect(echo.ended).toBe(0);

    proxy.restore();
    await waitFor(() => echo.ended === 1 && staying.heard() === 'STILL HERE');
    expect(echo.received).toEqual(['last words', 'still here']);
    expect(staying.closed()).toBe(false);
  });

  it('connects what it accepted meanwhile once restored, and lets new connections through', async () => {
    proxy.blackhole();
    const held = await open();
    held.socket.write('held');
    await sleep(QUIET_MS);
    proxy.restore();
    await waitFor(() => held.heard() === 'HELD');

    const after = await open();
    after.socket.write('after');
    await waitFor(() => after.heard() === 'AFTER');
    expect(echo.received).toEqual(['held', 'after']);
  });
});
