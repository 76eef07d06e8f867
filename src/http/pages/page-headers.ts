import { createHash } from 'node:crypto';

/*
 * What every built-in page answers with: HTML that runs only its own inlined script and style
 * (allowed by their SHA-256 in a strict CSP), loads nothing from anywhere, is never framed,
 * never cached, and sends no Referer.
 */

function sha256Source(source: string): string {
  return `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
}

/** The CSP allowing exactly `script` and `style`, and calls to this origin only. */
function contentSecurityPolicyFor(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256Source(script)}`,
    `style-src ${sha256Source(style)}`,
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The headers of a page whose one `<script>` is `script` and whose one `<style>` is `style`;
 * frozen, so give each Response a copy.
 */
export function pageHeadersFor(script: string, style: string): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicyFor(script, style),
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
}

/** Text for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
