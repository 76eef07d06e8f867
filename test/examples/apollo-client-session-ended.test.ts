import { gql } from '@apollo/client';
import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type AuthStatus,
  createAuthClient,
  createMemoryTokenStore,
  createSessionSocket,
  logIn,
  watchSessionEnded,
} from '../../examples/apollo-client/src/index.js';
import { attachGraphQLWebSockets, type GraphQLWebSockets } from '../../src/http/graphql-ws.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

// Issue 16, section 4: a real Apollo Client with GraphQLWsLink (graphql-ws) watches sessionEnded
// in one "tab"; another tab of the same browser, holding the same session's tokens, logs out.
// The event reaches the first tab and its handler clears its tokens.

let app: TestApp;
let http: Listening;
let sockets: GraphQLWebSockets;
const webSockets: Client[] = [];

beforeEach(async () => {
  app = await createTestApp();
  http = await listen(app.yoga);
  sockets = attachGraphQLWebSockets(http.server, app.yoga);
});
afterEach(async () => {
  await Promise.all(webSockets.splice(0).map((socket) => socket.dispose()));
  await sockets.close();
  await http.close();
  await app.close();
});

function openTab(tokens = createMemoryTokenStore()) {
  const webSocket = createSessionSocket({
    url: http.url.replace('http:', 'ws:'),
    tokens,
    webSocketImpl: WebSocket,
  });
  webSockets.push(webSocket);
  const statuses: AuthStatus[] = [];
  tokens.subscribe((status) => statuses.push(status));
  return { client: createAuthClient({ uri: http.url, tokens, webSocket }), tokens, statuses };
}

/** Resolves once the server holds `count` open sessionEnded streams. */
async function streamsOpen(count: number): Promise<void> {
  await expect
    .poll(async () => {
      const metrics = await (await app.yoga.fetch('http://yoga/metrics')).text();
      return /^auth_session_ended_streams_open(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1];
    })
    .toBe(String(count));
}

describe('Apollo Client over graphql-ws: sessionEnded', () => {
  it('a logout in another tab reaches this tab, whose handler clears its tokens', async () => {
    await app.signUp('tabs@example.com');
    const first = openTab();
    await logIn(first.client, first.tokens, { email: 'tabs@example.com', password: PASSWORD });
    const pair = first.tokens.read();
    if (pair === null) throw new Error('not logged in');
    const stop = watchSessionEnded(first.client, first.tokens);
    try {
      await streamsOpen(1);
      // The second tab shares the session (the same pair, as from shared storage).
      const second = openTab(createMemoryTokenStore(pair));
      const loggedOutAt = performance.now();
      const { data } = await second.client.mutate<{ logout: boolean }>({
        mutation: gql`
          mutation Logout {
            logout
          }
        `,
      });
      expect(data?.logout).toBe(true);

      await expect.poll(() => first.tokens.read(), { timeout: 1_000, interval: 10 }).toBeNull();
      expect(performance.now() - loggedOutAt).toBeLessThan(1_000);
      expect(first.statuses).toEqual([{ loggedIn: true }, { loggedIn: false, reason: 'LOGOUT' }]);
      await streamsOpen(0); // the stream completed after its one event
    } finally {
      stop();
    }
  });

  it('a session ended by the operator reaches the tab with REVOKED', async () => {
    await app.signUp('revoked-tab@example.com');
    const tab = openTab();
    await logIn(tab.client, tab.tokens, { email: 'revoked-tab@example.com', password: PASSWORD });
    const stop = watchSessionEnded(tab.client, tab.tokens);
    try {
      await streamsOpen(1);
      const user = await app.deps.store.users.findByEmail('revoked-tab@example.com');
      await app.deps.store.sessions.revokeAllForUser(
        user?.id ?? '',
        'revoked_by_admin',
        app.clock.now(),
      );
      await expect.poll(() => tab.statuses.at(-1)).toEqual({ loggedIn: false, reason: 'REVOKED' });
    } finally {
      stop();
    }
  });
});
