import { type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { consumeLink, findUsableLink, type LinkFailure, userNowHas } from './recovery/use-link.js';

/**
 * Applies a link from an email change:
 * - the confirmation (sent to the new address) gives the account that address, verified, and
 *   removes every other link token of the account but the undo link;
 * - the undo link (sent to the old address) restores it, verified, removes every link token
 *   and ends every session: account-takeover recovery.
 * EMAIL_TAKEN (field `token`) when another account took the address meanwhile; LINK_INVALID,
 * LINK_EXPIRED and ACCOUNT_DISABLED as for every link. Records EMAIL_CHANGED (detail UNDONE for
 * the undo).
 */
export async function confirmEmailChange(
  deps: AuthDeps,
  token: string,
  client: ClientInfo,
): Promise<Result<boolean, LinkFailure>> {
  const found = await findUsableLink(deps, token, ['change_email', 'undo_email_change']);
  if (!found.ok) return found;
  const { link, user } = found.value;
  const undo = link.purpose === 'undo_email_change';
  const event = stampEvent(deps, client, {
    type: 'EMAIL_CHANGED',
    userId: user.id,
    detail: undo ? 'UNDONE' : 'CONFIRMED',
  });
  const used = await consumeLink(
    deps,
    found.value,
    { kind: undo ? 'undo_email_change' : 'change_email' },
    event,
    userNowHas(deps, user.id, link.email),
  );
  if (!used.ok) return used;
  await announceStoredEvent(deps, event, used.value.revokedSessions);
  return success(true);
}
