import {
  type ApolloClient,
  CombinedGraphQLErrors,
  gql,
  type TypedDocumentNode,
} from '@apollo/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthStatus,
  createAuthClient,
  createMemoryTokenStore,
  logIn,
  type TokenStore,
} from '../../examples/apollo-client/src/index.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../src/auth/tokens/token-types.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';

// Real @apollo/client against the real server on a local port. The server's clock is injected,
// so access tokens expire by moving it, not by sleeping.

const ACCESS_TOKEN_TTL = 30;
/** Seconds after which an access token issued now is refused as expired. */
const PAST_EXPIRY = ACCESS_TOKEN_TTL + CLOCK_TOLERANCE_SECONDS + 1;
const ME: TypedDocumentNode<{ me: { id: string; email: string } }> = gql`
  query Me {
    me {
      id
      email
    }
  }
`;

let app: TestApp;
let http: Listening;
afterEach(async () => {
  await http.close();
  await app.close();
});

interface Harness {
  readonly client: ApolloClient;
  readonly tokens: TokenStore;
  readonly statuses: AuthStatus[];
  /** Operation names of every HTTP request the client made, in order. */
  readonly sent: string[];
}

/** A server, and a logged-in Apollo client whose fetch records each operation it sends. */
async function loggedInClient(
  email: string,
  afterResponse: (operation: string) => void = () => {},
): Promise<Harness> {
  app = await createTestApp({ ACCESS_TOKEN_TTL: `${ACCESS_TOKEN_TTL}s` });
  http = await listen(app.yoga);
  await app.signUp(email);
  const sent: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const { operationName } = JSON.parse(String(init?.body)) as { operationName?: string };
    const operation = operationName ?? 'anonymous';
    sent.push(operation);
    const response = await fetch(input, init);
    afterResponse(operation);
    return response;
  };
  const tokens = createMemoryTokenStore();
  const statuses: AuthStatus[] = [];
  tokens.subscribe((status) => statuses.push(status));
  const client = createAuthClient({ uri: http.url, tokens, fetch: recordingFetch });
  await logIn(client, tokens, { email, password: PASSWORD });
  return { client, tokens, statuses, sent };
}

function tenQueries(client: ApolloClient) {
  return Promise.allSettled(
    Array.from({ length: 10 }, () =>
      client.query({
        query: ME,
        fetchPolicy: 'network-only',
        // Ten real requests, not one shared by Apollo's in-flight deduplication.
        context: { queryDeduplication: false },
      }),
    ),
  );
}

describe('Apollo Client with the auth links', () => {
  it('sends the access token', async () => {
    const { client } = await loggedInClient('apollo-auth@example.com');
    const { data } = await client.query({ query: ME, fetchPolicy: 'network-only' });
    expect(data?.me.email).toBe('apollo-auth@example.com');
  });

  it('answers ten queries failing with TOKEN_EXPIRED at once with exactly one reissue', async () => {
    const { client, tokens, statuses, sent } = await loggedInClient('apollo-ten@example.com');
    const before = tokens.read();
    app.clock.advanceSeconds(PAST_EXPIRY);

    const results = await tenQueries(client);

    expect(results.map((result) => result.status)).toEqual(Array(10).fill('fulfilled'));
    for (const result of results) {
      expect(result.status === 'fulfilled' && result.value.data?.me.email).toBe(
        'apollo-ten@example.com',
      );
    }
    expect(sent.filter((operation) => operation === 'Reissue')).toHaveLength(1);
    // Ten that failed, ten retried with the new access token.
    expect(sent.filter((operation) => operation === 'Me')).toHaveLength(20);
    expect(tokens.read()?.refreshToken).not.toBe(before?.refreshToken);
    expect(statuses).toEqual([{ loggedIn: true }]);
    // And on the server: the session's refresh token was rotated exactly once.
    const sessionId = JSON.parse(
      Buffer.from(tokens.read()?.refreshToken.split('.')[1] ?? '', 'base64url').toString(),
    ).sid as string;
    expect((await app.deps.store.sessions.findById(sessionId))?.generation).toBe(1);
  });

  it('retries once only: a second TOKEN_EXPIRED reaches the caller, with no second reissue', async () => {
    const { client, tokens, sent } = await loggedInClient('apollo-once@example.com', (op) => {
      // The new access token has expired by the time the retry arrives.
      if (op === 'Reissue') app.clock.advanceSeconds(PAST_EXPIRY);
    });
    app.clock.advanceSeconds(PAST_EXPIRY);
    const error = await client.query({ query: ME, fetchPolicy: 'network-only' }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.reason).toBe(
      'TOKEN_EXPIRED',
    );
    expect(sent).toEqual(['Login', 'Me', 'Reissue', 'Me']);
    expect(tokens.status()).toEqual({ loggedIn: true });
  });

  it('logs out, without a reissue, when the session was revoked', async () => {
    const { client, tokens, statuses, sent } = await loggedInClient('apollo-revoked@example.com');
    const user = await app.deps.store.users.findByEmail('apollo-revoked@example.com');
    await app.deps.store.sessions.revokeAllForUser(user?.id ?? '', 'logout', app.clock.now());

    const error = await client.query({ query: ME, fetchPolicy: 'network-only' }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect(tokens.read()).toBeNull();
    expect(statuses.at(-1)).toEqual({ loggedIn: false, reason: 'SESSION_REVOKED' });
    expect(sent).not.toContain('Reissue');
  });

  it('logs out with the reissue’s reason when the access token expired and the session ended', async () => {
    const { client, tokens, statuses, sent } = await loggedInClient('apollo-ended@example.com');
    const user = await app.deps.store.users.findByEmail('apollo-ended@example.com');
    await app.deps.store.sessions.revokeAllForUser(user?.id ?? '', 'logout', app.clock.now());
    app.clock.advanceSeconds(PAST_EXPIRY);

    const results = await tenQueries(client);
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(sent.filter((operation) => operation === 'Reissue')).toHaveLength(1);
    expect(tokens.read()).toBeNull();
    expect(statuses).toEqual([{ loggedIn: true }, { loggedIn: false, reason: 'SESSION_REVOKED' }]);
  });
});
