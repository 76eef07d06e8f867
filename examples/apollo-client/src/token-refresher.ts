import type { StoredTokens, TokenStore } from './token-store.js';

export type RefreshOutcome =
  | { readonly ok: true; readonly tokens: StoredTokens }
  | { readonly ok: false; readonly reason: string };

export interface TokenRefresher {
  /**
   * Makes sure the store holds a pair newer than the one whose access token was `staleAccessToken`:
   * - if another caller already replaced it, resolves at once with the current pair;
   * - if a reissue is running, joins it;
   * - otherwise sends one `reissue`.
   * So any number of operations failing together cause exactly one `reissue`.
   * A refusal clears the store (the user is logged out) and resolves `{ ok: false, reason }`;
   * a network failure rejects and keeps the tokens.
   */
  refreshAfter(staleAccessToken: string | undefined): Promise<RefreshOutcome>;
}

export interface TokenRefresherOptions {
  /** The GraphQL endpoint, e.g. https://auth.example.com/graphql. */
  readonly uri: string;
  readonly tokens: TokenStore;
  readonly fetch?: typeof fetch;
}

const REISSUE = 'mutation Reissue { reissue { accessToken refreshToken } }';

interface ReissueAnswer {
  readonly data?: { readonly reissue?: StoredTokens } | null;
  readonly errors?: readonly { readonly extensions?: { readonly reason?: unknown } }[];
}

export function createTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  const { uri, tokens } = options;
  const send = options.fetch ?? fetch;
  let running: Promise<RefreshOutcome> | null = null;

  async function reissue(refreshToken: string): Promise<RefreshOutcome> {
    // Plain fetch, outside the Apollo link chain: the refresh token goes only to `reissue`, and
    // a failing reissue cannot loop back into the error link.
    const response = await send(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${refreshToken}` },
      body: JSON.stringify({ query: REISSUE, operationName: 'Reissue' }),
    });
    const answer = (await response.json()) as ReissueAnswer;
    const pair = answer.data?.reissue;
    if (pair) {
      tokens.save({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      return { ok: true, tokens: pair };
    }
    const reason = answer.errors?.[0]?.extensions?.reason;
    if (typeof reason !== 'string') {
      throw new Error(`reissue failed with HTTP ${response.status} and no reason`);
    }
    tokens.clear(reason);
    return { ok: false, reason };
  }

  return {
    refreshAfter(staleAccessToken) {
      const current = tokens.read();
      if (current === null) return Promise.resolve({ ok: false, reason: 'TOKEN_MISSING' });
      if (current.accessToken !== staleAccessToken) {
        return Promise.resolve({ ok: true, tokens: current });
      }
      running ??= reissue(current.refreshToken).finally(() => {
        running = null;
      });
      return running;
    },
  };
}
