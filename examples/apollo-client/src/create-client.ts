import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { createAuthLink, createRefreshLink } from './links.js';
import { createTokenRefresher } from './token-refresher.js';
import type { TokenStore } from './token-store.js';

export interface AuthClientOptions {
  /** The GraphQL endpoint, e.g. https://auth.example.com/graphql. */
  readonly uri: string;
  readonly tokens: TokenStore;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * An Apollo Client whose operations carry the access token and survive its expiry:
 * refresh link → auth link → HTTP. The refresh link sits above the auth link, so a retried
 * operation passes through the auth link again and picks up the new access token.
 */
export function createAuthClient(options: AuthClientOptions): ApolloClient {
  const refresher = createTokenRefresher(options);
  return new ApolloClient({
    link: ApolloLink.from([
      createRefreshLink(options.tokens, refresher),
      createAuthLink(options.tokens),
      new HttpLink({ uri: options.uri, fetch: options.fetch }),
    ]),
    cache: new InMemoryCache(),
  });
}
