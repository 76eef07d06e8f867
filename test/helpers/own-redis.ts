import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './free-port.js';

// A redis-server process of the test's own on a free port, with no persistence, so that the
// test can stop and start it as an operator's restart would, without touching the shared Redis.
// A restarted server starts empty, as every Redis without persistence does.

export const REDIS_PROGRAMS = ['redis-server'] as const;

export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** SIGTERM (a restart's first half); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Starts the server again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it if running. Safe to call twice. */
  destroy(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    if (child !== null) throw new Error('redis-server is already running');
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    child = server;
    server.once('exit', () => {
      if (child === server) child = null;
    });
    await waitForPong(port, 10_000);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (running === null || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
    child = null;
  }

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start, destroy: stop };
}

/** Resolves once a server on `port` answers PING with PONG, retrying every 20 ms. */
async function waitForPong(port: number, limitMs: number): Promise<void> {
  const started = performance.now();
  while (!(await answersPong(port))) {
    if (performance.now() - started > limitMs) {
      throw new Error(`redis-server on port ${port} did not answer within ${limitMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function answersPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => socket.destroy());
  });
}
