import { type ApolloLink, CombinedGraphQLErrors } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { from, Observable, switchMap } from 'rxjs';
import type { TokenRefresher } from './token-refresher.js';
import type { TokenStore } from './token-store.js';

/** Operation context keys these links use. */
const SENT_ACCESS_TOKEN = 'authSentAccessToken';
const RETRIED = 'authRetriedAfterReissue';

/** Sends the stored access token as `Authorization: Bearer`, and remembers which one it sent. */
export function createAuthLink(tokens: TokenStore): ApolloLink {
  return new SetContextLink((previous) => {
    const current = tokens.read();
    if (current === null) return {};
    return {
      headers: { ...previous.headers, authorization: `Bearer ${current.accessToken}` },
      [SENT_ACCESS_TOKEN]: current.accessToken,
    };
  });
}

/**
 * Reacts to `UNAUTHENTICATED` errors from the auth service:
 * - reason `TOKEN_EXPIRED`: obtains a new pair (one `reissue` however many operations fail
 *   together) and retries the operation once;
 * - any other reason (`SESSION_REVOKED`, `REFRESH_TOKEN_REUSED`, `TOKEN_INVALID`, ...): clears
 *   the tokens, so the store reports logged out, and lets the error through.
 * Network errors and other GraphQL errors pass untouched.
 */
export function createRefreshLink(tokens: TokenStore, refresher: TokenRefresher): ApolloLink {
  return new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const reason = findUnauthenticatedReason(error.errors);
    if (reason === null) return;
    const context: Record<string, unknown> = operation.getContext();
    if (reason !== 'TOKEN_EXPIRED') {
      tokens.clear(reason);
      return;
    }
    // Once only: a second TOKEN_EXPIRED right after a reissue (a clock far off) is the caller's.
    if (context[RETRIED] === true) return;
    const sent = context[SENT_ACCESS_TOKEN];
    return from(refresher.refreshAfter(typeof sent === 'string' ? sent : undefined)).pipe(
      switchMap((outcome) => {
        if (!outcome.ok) {
          return new Observable<ApolloLink.Result>((observer) => observer.error(error));
        }
        operation.setContext({ [RETRIED]: true });
        return forward(operation);
      }),
    );
  });
}

function findUnauthenticatedReason(errors: CombinedGraphQLErrors['errors']): string | null {
  for (const error of errors) {
    const { code, reason } = error.extensions ?? {};
    if (code === 'UNAUTHENTICATED' && typeof reason === 'string') return reason;
  }
  return null;
}
