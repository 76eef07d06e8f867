import { createHash, randomBytes } from 'node:crypto';
import type { LinkPurpose, LinkTokenRecord } from '../ports/link-records.js';
import type { LinkSettings } from './link-settings.js';

/*
 * Link tokens, the secrets mailed to prove control of an address:
 * - 32 random bytes, base64url; only their SHA-256 is stored, so a copy of the database (or of
 *   a backup) opens no account. A fast hash suffices: the token has 256 bits of entropy.
 * - single use: consumed by one conditional DELETE (AccountStore.useLink);
 * - a new token of a purpose supersedes the account's older ones of that purpose; a password
 *   change or reset removes every reset token; an email change every token but its undo link;
 * - bound to the address it was sent to.
 */

/** The SHA-256 of a token's text, base64url: how the store knows it. */
export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A fresh token and its record, valid for the purpose's lifetime from `now`. */
export function createLinkToken(
  settings: LinkSettings,
  purpose: LinkPurpose,
  user: { readonly id: string },
  email: string,
  now: number,
): { readonly token: string; readonly record: LinkTokenRecord } {
  const token = randomBytes(32).toString('base64url');
  return {
    token,
    record: {
      tokenHash: hashLinkToken(token),
      purpose,
      userId: user.id,
      email,
      createdAt: now,
      expiresAt: now + settings.lifetimes[purpose] * 1000,
    },
  };
}

/** Whether `token` could be one of ours (43 base64url characters); anything else is unknown. */
export function isWellFormedLinkToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
