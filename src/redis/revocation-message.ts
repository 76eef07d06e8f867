import { SESSION_REVOCATION_REASONS } from '../auth/ports/records.js';
import type { Revocation, RevocationReason } from '../auth/ports/revocation-channel.js';

/** What travels on the channel: the revocation and the instance that announced it. */
export interface RevocationMessage {
  readonly origin: string;
  readonly revocation: Revocation;
}

export function encodeRevocationMessage(message: RevocationMessage): string {
  const { origin, revocation } = message;
  const reason = revocation.reason ?? null;
  return JSON.stringify(
    revocation.kind === 'session'
      ? { origin, kind: 'session', sessionId: revocation.sessionId, reason }
      : {
          origin,
          kind: 'user',
          userId: revocation.userId,
          exceptSessionId: revocation.exceptSessionId,
          reason,
        },
  );
}

/** Null for anything that is not a well-formed message: it is ignored, never half-applied. */
export function decodeRevocationMessage(text: string): RevocationMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // not JSON: malformed, reported by the caller
  }
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  const { origin, kind } = fields;
  if (!isId(origin)) return null;
  // An unknown reason (a newer instance's) still drops the sessions; it is just not named.
  const reason = isReason(fields.reason) ? { reason: fields.reason } : {};
  if (kind === 'session' && isId(fields.sessionId)) {
    return { origin, revocation: { kind: 'session', sessionId: fields.sessionId, ...reason } };
  }
  const except = fields.exceptSessionId;
  if (kind === 'user' && isId(fields.userId) && (except === null || isId(except))) {
    return {
      origin,
      revocation: { kind: 'user', userId: fields.userId, exceptSessionId: except, ...reason },
    };
  }
  return null;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

const REASONS: ReadonlySet<string> = new Set([
  ...SESSION_REVOCATION_REASONS,
  'restrictions_changed',
]);

function isReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && REASONS.has(value);
}
