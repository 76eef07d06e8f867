/** Longest user agent kept on a session or an audit event; the rest is noise and storage. */
export const MAX_USER_AGENT_LENGTH = 512;

export function clampUserAgent(userAgent: string | null): string | null {
  return userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null;
}
