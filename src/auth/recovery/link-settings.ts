import type { LinkPurpose } from '../ports/link-records.js';

/** The placeholder a link template's `{token}` is, replaced by the token (URL-safe already). */
export const TOKEN_PLACEHOLDER = '{token}';

/** How long each kind of link works, and where it points. */
export interface LinkSettings {
  /** Seconds, per purpose (the undo link lives as long as the change link). */
  readonly lifetimes: Readonly<Record<LinkPurpose, number>>;
  /**
   * URL templates per purpose, each containing {@link TOKEN_PLACEHOLDER}. The operator's, or the
   * service's own pages under PUBLIC_URL; never built from a request's Host header.
   */
  readonly urls: Readonly<Record<LinkPurpose, string>>;
}

/** The link for `token`: the purpose's template with the token in place of `{token}`. */
export function linkFor(settings: LinkSettings, purpose: LinkPurpose, token: string): string {
  return settings.urls[purpose].replaceAll(TOKEN_PLACEHOLDER, token);
}
