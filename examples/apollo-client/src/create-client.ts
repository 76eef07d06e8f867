import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import type { Client } from 'graphql-ws';
import { createAuthLink, createRefreshLink } from './links.js';
import { createStepUpLink, type PromptForSecondFactor } from './step-up-link.js';
import { createTokenRefresher } from './token-refresher.js';
import type { TokenStore } from './token-store.js';

export interface AuthClientOptions {
  /** The GraphQL endpoint, e.g. https://auth.example.com/graphql. */
  readonly uri: string;
  readonly tokens: TokenStore;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** For subscriptions (`sessionEnded`): a client from createSessionSocket, which the app owns. */
  readonly webSocket?: Client;
  /**
   * Asks the user for a TOTP or recovery code when an operation needs the second factor
   * (FORBIDDEN / MFA_REQUIRED or REAUTHENTICATION_REQUIRED); the operation is then retried
   * once. Without it, those errors reach the caller.
   */
  readonly promptForCode?: PromptForSecondFactor;
}

/**
 * An Apollo Client whose operations carry the access token and survive its expiry:
 * (step-up link →) refresh link → auth link → HTTP. The refresh link sits above the auth link, so a retried
 * operation passes through the auth link again and picks up the new access token. With
 * `webSocket`, subscriptions take the socket instead.
 */
export function createAuthClient(options: AuthClientOptions): ApolloClient {
  const refresher = createTokenRefresher(options);
  const stepUp =
    options.promptForCode === undefined
      ? []
      : [createStepUpLink({ ...options, promptForCode: options.promptForCode })];
  const overHttp = ApolloLink.from([
    ...stepUp,
    createRefreshLink(options.tokens, refresher),
    createAuthLink(options.tokens),
    new HttpLink({ uri: options.uri, fetch: options.fetch }),
  ]);
  // Subscriptions go over the socket, which carries the access token in its connectionParams.
  const link =
    options.webSocket === undefined
      ? overHttp
      : ApolloLink.split(
          (operation) => operation.operationType === 'subscription',
          new GraphQLWsLink(options.webSocket),
          overHttp,
        );
  return new ApolloClient({ link, cache: new InMemoryCache() });
}
