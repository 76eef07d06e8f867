import {
  type ApolloClient,
  CombinedGraphQLErrors,
  gql,
  type TypedDocumentNode,
} from '@apollo/client';
import { type Client, createClient } from 'graphql-ws';
import type { TokenStore } from './token-store.js';

export interface SessionSocketOptions {
  /** The service's graphql-ws endpoint: its GraphQL URL with ws:// or wss://. */
  readonly url: string;
  readonly tokens: TokenStore;
  /** A WebSocket class where there is no global one (Node.js 20: the `ws` package). */
  readonly webSocketImpl?: unknown;
}

/**
 * The graphql-ws client for subscriptions. It sends the stored access token as
 * `connectionParams.authorization` each time it connects, which is where the service checks it.
 */
export function createSessionSocket(options: SessionSocketOptions): Client {
  return createClient({
    url: options.url,
    ...(options.webSocketImpl === undefined ? {} : { webSocketImpl: options.webSocketImpl }),
    connectionParams: () => {
      const current = options.tokens.read();
      return current === null ? {} : { authorization: `Bearer ${current.accessToken}` };
    },
  });
}

interface SessionEndedResult {
  readonly sessionEnded: { readonly sessionId: string; readonly reason: string };
}

const SESSION_ENDED: TypedDocumentNode<SessionEndedResult> = gql`
  subscription SessionEnded {
    sessionEnded {
      sessionId
      reason
      endedAt
    }
  }
`;

/**
 * Listens for the end of this tab's session, wherever it ends (a logout in another tab, a
 * revocation, a password change): the service sends one `sessionEnded` and completes, and the
 * tokens are cleared with its reason (`LOGOUT`, `REVOKED`, `PASSWORD_CHANGED`, ...), so every
 * subscriber of the store sees `{ loggedIn: false, reason }` without waiting for a request to
 * fail. A refusal other than `TOKEN_EXPIRED` clears them too. The stream never outlives its
 * access token: on `TOKEN_EXPIRED` it ends, and the app watches again after its next reissue.
 * Returns the function that stops watching.
 */
export function watchSessionEnded(client: ApolloClient, tokens: TokenStore): () => void {
  const subscription = client.subscribe({ query: SESSION_ENDED }).subscribe({
    next({ data, error }) {
      if (data?.sessionEnded !== undefined) tokens.clear(data.sessionEnded.reason);
      else if (error !== undefined) clearOnRefusal(tokens, error);
    },
    error: (error: unknown) => clearOnRefusal(tokens, error),
  });
  return () => subscription.unsubscribe();
}

function clearOnRefusal(tokens: TokenStore, error: unknown): void {
  if (!CombinedGraphQLErrors.is(error)) return; // the network: keep the tokens
  const extensions = error.errors[0]?.extensions;
  const reason = typeof extensions?.reason === 'string' ? extensions.reason : null;
  if (extensions?.code === 'UNAUTHENTICATED' && reason !== 'TOKEN_EXPIRED') tokens.clear(reason);
}
