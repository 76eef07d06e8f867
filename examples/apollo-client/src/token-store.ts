/** The pair a client keeps. Where it is kept (memory, storage) is the app's choice. */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * Logged in, or logged out with the server's reason (`SESSION_REVOKED`,
 * `REFRESH_TOKEN_REUSED`, `TOKEN_INVALID`, ...), or `null` when the app logged out itself.
 */
export type AuthStatus =
  | { readonly loggedIn: true }
  | { readonly loggedIn: false; readonly reason: string | null };

export interface TokenStore {
  read(): StoredTokens | null;
  save(tokens: StoredTokens): void;
  /** Forgets the tokens and tells every subscriber the user is logged out, and why. */
  clear(reason: string | null): void;
  status(): AuthStatus;
  /** Calls `listener` on every change of status; returns the unsubscribe function. */
  subscribe(listener: (status: AuthStatus) => void): () => void;
}

/** A token store in memory: the tokens go when the page or process does. */
export function createMemoryTokenStore(initial: StoredTokens | null = null): TokenStore {
  let tokens = initial;
  let status: AuthStatus = tokens ? { loggedIn: true } : { loggedIn: false, reason: null };
  const listeners = new Set<(status: AuthStatus) => void>();

  function publish(next: AuthStatus): void {
    status = next;
    for (const listener of listeners) listener(next);
  }

  return {
    read: () => tokens,
    save(next) {
      tokens = next;
      if (!status.loggedIn) publish({ loggedIn: true });
    },
    clear(reason) {
      tokens = null;
      publish({ loggedIn: false, reason });
    },
    status: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
