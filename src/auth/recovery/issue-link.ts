import type { AuthDeps } from '../deps.js';
import type {
  LinkPurpose,
  LinkTokenRecord,
  MailKind,
  NewOutboxMail,
} from '../ports/link-records.js';
import { linkFor } from './link-settings.js';
import { createLinkToken } from './link-tokens.js';
import { newMail } from './queue-mail.js';

/** A new link token and the mail that carries it. */
export interface MailedLink {
  readonly record: LinkTokenRecord;
  readonly mail: NewOutboxMail;
}

/**
 * A token of `purpose` for `user`, bound to `recipient`, and a mail of `kind` to `recipient`
 * carrying its link. Nothing is stored yet: the caller hands both to the store in one write.
 */
export function mailedLink(
  deps: Pick<AuthDeps, 'clock' | 'settings'>,
  user: { readonly id: string },
  purpose: LinkPurpose,
  kind: MailKind,
  recipient: string,
  extra: Readonly<Record<string, string>> = {},
): MailedLink {
  const { links } = deps.settings;
  const { token, record } = createLinkToken(links, purpose, user, recipient, deps.clock.now());
  const payload = { ...extra, link: linkFor(links, purpose, token) };
  return { record, mail: newMail(deps, kind, recipient, user.id, payload, record.expiresAt) };
}
