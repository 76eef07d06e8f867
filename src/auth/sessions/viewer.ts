import type { Role, SessionRestriction } from '../ports/records.js';
import type { Assurance } from '../tokens/assurance-claims.js';

/** The caller behind a verified access token whose session is live. */
export interface Viewer {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly roles: readonly Role[];
  /** When the access token expires, in seconds: what a stream opened with it may not outlive. */
  readonly accessTokenExpiresAt: number;
  /**
   * What the session may not do: those its token states and those its session holds now (a
   * restriction added since the token was issued counts from the next request).
   */
  readonly restrictions: readonly SessionRestriction[];
  /** As the access token states it: a step-up reaches the next token, not this one. */
  readonly assurance: Assurance;
}
