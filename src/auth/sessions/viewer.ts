import type { Role } from '../ports/records.js';

/** The caller behind a verified access token whose session is live. */
export interface Viewer {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly roles: readonly Role[];
  /** When the access token expires, in seconds: what a stream opened with it may not outlive. */
  readonly accessTokenExpiresAt: number;
}
