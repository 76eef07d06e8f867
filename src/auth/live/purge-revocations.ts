import type { Clock } from '../../clock.js';
import type { RevocationStore } from '../ports/store.js';
import { CLOCK_TOLERANCE_SECONDS } from '../tokens/token-types.js';

/**
 * Deletes the revocation records that can no longer matter: those whose `exp` (the end plus
 * ACCESS_TOKEN_TTL, or the session's own expiry if sooner) is more than the clock tolerance
 * ago. The feed never serves them anyway; this keeps the table at one token lifetime of ends.
 */
export function purgeRevocations(
  store: Pick<RevocationStore, 'deleteExpired'>,
  clock: Clock,
  accessTokenTtl: number,
): Promise<number> {
  const now = clock.now();
  const tolerance = CLOCK_TOLERANCE_SECONDS * 1000;
  return store.deleteExpired(now - accessTokenTtl * 1000 - tolerance, now - tolerance);
}
