import type { AssuranceLevel, SessionRestriction, UserRecord } from '../ports/records.js';
import type { TokenPair } from '../tokens/token-pair.js';

/** What a successful sign-up, login or reissue hands back. */
export interface AuthGrant {
  readonly tokens: TokenPair;
  readonly user: UserRecord;
  readonly sessionId: string;
  /** The session's restrictions, as its access token states them; empty for a full session. */
  readonly restrictions: readonly SessionRestriction[];
  /** The session's assurance level, as its access token states it in `aal`. */
  readonly assuranceLevel: AssuranceLevel;
}
