import { type Client, createClient } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachGraphQLWebSockets, type GraphQLWebSockets } from '../../src/http/graphql-ws.js';
import { createTestApp, decodeJwtPart, PASSWORD, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

// Issue 16, section 1: sessionEnded over graphql-ws, on a real socket (the socket is the point):
// the token in connectionParams, checked at ConnectionInit and at every subscribe.

const SUBSCRIPTION = 'subscription { sessionEnded { sessionId reason } }';

let app: TestApp;
let http: Listening;
let sockets: GraphQLWebSockets;
const clients: Client[] = [];

beforeEach(async () => {
  app = await createTestApp();
  http = await listen(app.yoga);
  sockets = attachGraphQLWebSockets(http.server, app.yoga);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await sockets.close();
  await http.close();
  await app.close();
});

interface Closed {
  readonly code: number;
  readonly reason: string;
}

function connect(token: string | undefined): { client: Client; closed: Promise<Closed> } {
  let onClosed: (closed: Closed) => void = () => undefined;
  const closed = new Promise<Closed>((resolve) => {
    onClosed = resolve;
  });
  const client = createClient({
    url: http.url.replace('http:', 'ws:'),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // A refused connection is what these tests expect; the client would print it.
    onNonLazyError: () => undefined,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason });
      },
    },
  });
  clients.push(client);
  return { client, closed };
}

/** Every message of one subscription, and how it ended. */
async function collect(client: Client): Promise<{ results: unknown[]; error: unknown }> {
  const results: unknown[] = [];
  try {
    for await (const result of client.iterate({ query: SUBSCRIPTION })) results.push(result);
    return { results, error: null };
  } catch (error) {
    return { results, error };
  }
}

describe('sessionEnded over graphql-ws', () => {
  it('delivers the end of the session to the socket, then completes the subscription', async () => {
    const mine = await app.signUp();
    const other = await app.login(mine.user.email, PASSWORD);
    const { client } = connect(mine.accessToken);
    const ended = collect(client);
    // Subscribed once the open stream is counted; then log out from the other "tab".
    await expect.poll(() => sockets.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.graphql('mutation { logout(scope: ALL) }', { token: other.accessToken });
    expect(await ended).toEqual({
      results: [
        {
          data: {
            sessionEnded: {
              sessionId: String(decodeJwtPart(mine.accessToken, 1).sid),
              reason: 'LOGOUT',
            },
          },
        },
      ],
      error: null,
    });
  });

  it.each([
    ['no token', undefined, 'TOKEN_MISSING'],
    ['a refresh token', 'refresh', 'TOKEN_TYPE_MISMATCH'],
    ['a token that is not one', 'junk', 'TOKEN_INVALID'],
  ] as const)(
    'closes with 4401 at ConnectionInit for %s, giving the reason',
    async (_name, kind, reason) => {
      const mine = await app.signUp();
      const token =
        kind === undefined ? undefined : kind === 'refresh' ? mine.refreshToken : 'a.b.c';
      const { closed } = connect(token);
      expect(await closed).toEqual({ code: 4401, reason });
    },
  );

  it('closes with 4403 at ConnectionInit for a restricted session, the restriction as the reason', async () => {
    // An instance that restricts unverified accounts: a fresh sign-up's session is restricted.
    await sockets.close();
    await http.close();
    await app.close();
    app = await createTestApp({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    http = await listen(app.yoga);
    sockets = attachGraphQLWebSockets(http.server, app.yoga);
    const restricted = await app.signUp();
    const { closed } = connect(restricted.accessToken);
    expect(await closed).toEqual({ code: 4403, reason: 'EMAIL_NOT_VERIFIED' });
  });

  it('checks the token again at every subscribe: an error message once its session has ended', async () => {
    const mine = await app.signUp();
    const { client } = connect(mine.accessToken);
    await expect.poll(() => sockets.size).toBe(1);
    const first = collect(client);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.graphql('mutation { logout }', { token: mine.accessToken });
    expect((await first).results).toHaveLength(1);
    const second = await collect(client);
    expect(second.results).toEqual([]);
    expect(second.error).toEqual([
      expect.objectContaining({
        extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' },
      }),
    ]);
  });

  it('closes every socket with 1001 when the server stops', async () => {
    const mine = await app.signUp();
    const { closed } = connect(mine.accessToken);
    await expect.poll(() => sockets.size).toBe(1);
    await sockets.close();
    expect((await closed).code).toBe(1001);
  });
});
