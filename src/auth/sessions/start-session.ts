import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../client/client-info.js';
import { clampUserAgent } from '../client/user-agent.js';
import type { AuthDeps } from '../deps.js';
import type { UserRecord } from '../ports/records.js';
import { createRandomId, issueTokenPair } from '../tokens/token-pair.js';
import type { AuthGrant } from './grant.js';

/** Opens a new session for an authenticated user and issues its first token pair. */
export async function startSession(
  deps: AuthDeps,
  user: UserRecord,
  client: ClientInfo,
): Promise<AuthGrant> {
  const now = deps.clock.now();
  const { sessionMaxAge, refreshTokenTtl } = deps.settings.lifetimes;
  const expiresAt = now + sessionMaxAge * 1000;
  const session = await deps.store.sessions.insert({
    id: randomUUID(),
    userId: user.id,
    currentRefreshJti: createRandomId(),
    rotatedAt: now,
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: Math.min(now + refreshTokenTtl * 1000, expiresAt),
    expiresAt,
    userAgent: clampUserAgent(client.userAgent),
    ip: client.ip,
  });
  return { tokens: await issueTokenPair(deps, session, user), user, sessionId: session.id };
}
