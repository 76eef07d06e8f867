import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareGracefulShutdown } from '../../src/http/graceful-shutdown.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

let app: TestApp;
let http: Listening;
afterEach(async () => {
  http.server.closeAllConnections();
  await app.close();
});

/** Makes the next session lookup wait until `release` is called: a request held in flight. */
function holdNextSessionLookup(): { entered: Promise<void>; release: () => void } {
  const { sessions } = app.deps.store;
  const original = sessions.findWithUser.bind(sessions);
  let release = (): void => {};
  let signalEntered = (): void => {};
  const entered = new Promise<void>((resolve) => {
    signalEntered = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  Object.assign(sessions, {
    async findWithUser(id: string) {
      signalEntered();
      await released;
      return original(id);
    },
  });
  return { entered, release };
}

/** A request on a brand-new connection (no pooled keep-alive socket to hide a refusal). */
function connectFresh(url: string): Promise<string> {
  return new Promise((resolve) => {
    const probe = httpRequest(url, { agent: false, method: 'GET' }, (response) => {
      response.resume();
      resolve(`answered ${response.statusCode}`);
    });
    probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.end();
  });
}

async function me(accessToken: string): Promise<Response> {
  return fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ me { email } }' }),
  });
}

describe('prepareGracefulShutdown', () => {
  it('stops accepting, finishes the request in flight, then closes', async () => {
    app = await createTestApp();
    http = await listen(app.yoga);
    const shutDown = prepareGracefulShutdown(http.server, 5_000);
    const { accessToken } = await app.signUp('inflight@example.com');
    const held = holdNextSessionLookup();
    const inFlight = me(accessToken);
    await held.entered;

    let closed = false;
    const stopped = shutDown().then((result) => {
      closed = true;
      return result;
    });
    expect(await connectFresh(`${http.origin}/health`)).toBe('ECONNREFUSED');
    expect(closed).toBe(false);

    held.release();
    const response = await inFlight;
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ data: { me: { email: 'inflight@example.com' } } });
    expect(await stopped).toEqual({ forced: false });
    expect(http.server.listening).toBe(false);
  });

  it('cuts requests still running at the deadline', async () => {
    app = await createTestApp();
    http = await listen(app.yoga);
    const shutDown = prepareGracefulShutdown(http.server, 100);
    const { accessToken } = await app.signUp('stuck@example.com');
    const held = holdNextSessionLookup();
    const inFlight = me(accessToken).then(
      () => 'answered',
      () => 'cut',
    );
    await held.entered;
    expect(await shutDown()).toEqual({ forced: true });
    expect(await inFlight).toBe('cut');
    held.release();
  });
});
