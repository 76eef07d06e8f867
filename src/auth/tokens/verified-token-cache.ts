import { hash } from 'node:crypto';
import { type CryptoKey, decodeProtectedHeader } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthenticationFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { TokenSettings, TokenType, VerifiedToken } from './token-types.js';
import { verifyToken } from './verify-token.js';

/**
 * Access tokens this process has already verified, so a client sending the same token again
 * skips the signature check (an Ed25519 verification is most of a protected request's cost).
 *
 * It remembers only what cannot change while the token lives: that these exact bytes carry
 * our valid signature and these claims. Everything that can change is still checked:
 * - expiry: an entry is served only strictly before the token's `exp` (no clock tolerance);
 *   from then on the full verification decides, as if the token had never been seen;
 * - the key: an entry is served only while the key ring still holds the very key object that
 *   verified it, so a key that is retired or replaced takes its tokens with it (a reload keeps
 *   the same key object for the same `kid`, which is the key's own thumbprint);
 * - the clock going backwards (before the moment of verification) also means a full check;
 * - the session: never cached here. `authenticateAccessToken` reads it on every request, so
 *   logout and reuse detection still take effect on the very next request.
 *
 * Entries are keyed by a SHA-256 of the token, so live bearer tokens are not kept in the heap,
 * and a token differing in any character is a different entry. The cache is bounded: past
 * `maxEntries` the least recently used entry is dropped. It is per service instance, never shared.
 *
 * Expiry is checked here against the caller's `now`, not by lru-cache's TTL: that runs on
 * `performance.now()`, would serve an entry at the very millisecond of `exp`, and cannot tell a
 * clock that went backwards.
 */
export interface VerifiedTokenCache {
  /** The claims of `token` if it was verified before and is certainly still valid at `now`. */
  find(token: string, keys: KeyRing, now: number): Promise<VerifiedToken | undefined>;
  /** Records a token that `verifyToken` has just accepted at `now`. */
  remember(token: string, verified: VerifiedToken, keys: KeyRing, now: number): Promise<void>;
  readonly size: number;
}

interface Entry {
  readonly verified: VerifiedToken;
  readonly key: CryptoKey;
  readonly kid: string;
  readonly verifiedAt: number;
}

export function createVerifiedTokenCache(maxEntries: number): VerifiedTokenCache {
  // Bounded by count, each entry counting one, without `max`'s up-front allocation of every slot.
  // lru-cache needs room for one; with `maxEntries` 0, `remember` stores nothing.
  const entries = new LRUCache<string, Entry>({
    maxSize: Math.max(1, maxEntries),
    sizeCalculation: () => 1,
  });

  return {
    async find(token, keys, now) {
      const id = hashToken(token);
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      const stillValid =
        now >= entry.verifiedAt &&
        Math.floor(now / 1000) < entry.verified.expiresAt &&
        (await keys.findVerificationKey(entry.kid))?.key === entry.key;
      if (!stillValid) {
        entries.delete(id);
        return undefined;
      }
      return entry.verified;
    },
    async remember(token, verified, keys, now) {
      if (maxEntries <= 0 || Math.floor(now / 1000) >= verified.expiresAt) return;
      const { kid } = decodeProtectedHeader(token);
      if (typeof kid !== 'string') return;
      const key = (await keys.findVerificationKey(kid))?.key;
      if (key === undefined) return;
      entries.set(hashToken(token), { verified, key, kid, verifiedAt: now });
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * {@link verifyToken}, answered from `cache` when the token was verified before. The result is
 * the same as `verifyToken`'s would be: a hit is only possible while every check it made still
 * holds, and the token type is checked on every call.
 */
export async function verifyTokenWithCache(
  cache: VerifiedTokenCache,
  token: string,
  expected: TokenType,
  keys: KeyRing,
  settings: TokenSettings,
  now: number,
): Promise<Result<VerifiedToken, AuthenticationFailure>> {
  const cached = await cache.find(token, keys, now);
  if (cached !== undefined) {
    return cached.type === expected ? success(cached) : failure('TOKEN_TYPE_MISMATCH');
  }
  const verified = await verifyToken(token, expected, keys, settings, now);
  if (verified.ok) await cache.remember(token, verified.value, keys, now);
  return verified;
}

function hashToken(token: string): string {
  // The one-shot form: half the CPU of createHash's object for a token-sized input.
  return hash('sha256', token, 'base64url');
}
