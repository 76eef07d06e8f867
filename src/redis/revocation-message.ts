import type { Revocation } from '../auth/ports/revocation-channel.js';

/** What travels on the channel: the revocation and the instance that announced it. */
export interface RevocationMessage {
  readonly origin: string;
  readonly revocation: Revocation;
}

export function encodeRevocationMessage(message: RevocationMessage): string {
  const { origin, revocation } = message;
  return JSON.stringify(
    revocation.kind === 'session'
      ? { origin, kind: 'session', sessionId: revocation.sessionId }
      : {
          origin,
          kind: 'user',
          userId: revocation.userId,
          exceptSessionId: revocation.exceptSessionId,
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
  if (kind === 'session' && isId(fields.sessionId)) {
    return { origin, revocation: { kind: 'session', sessionId: fields.sessionId } };
  }
  const except = fields.exceptSessionId;
  if (kind === 'user' && isId(fields.userId) && (except === null || isId(except))) {
    return {
      origin,
      revocation: { kind: 'user', userId: fields.userId, exceptSessionId: except },
    };
  }
  return null;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}
