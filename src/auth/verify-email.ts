import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { announceStoredEvent, stampEvent } from './events/record-event.js';
import { consumeLink, findUsableLink, type LinkFailure, userNowHas } from './recovery/use-link.js';

/**
 * Marks the account's email verified with the token from a verification mail, and lifts
 * EMAIL_NOT_VERIFIED from its sessions (their next reissue returns a full session). The token
 * must still be the newest of its kind, unexpired, unused, and the account must still have the
 * address it was sent to; otherwise LINK_INVALID or LINK_EXPIRED, changing nothing (but a token
 * whose address the account no longer has is used up by the attempt).
 */
export async function verifyEmail(
  deps: AuthDeps,
  token: string,
  client: ClientInfo,
): Promise<Result<boolean, LinkFailure>> {
  const found = await findUsableLink(deps, token, ['verify_email']);
  if (!found.ok) return found;
  const { link, user } = found.value;
  if (user.email !== link.email) return failure({ reason: 'LINK_INVALID', field: 'token' });
  const event = stampEvent(deps, client, { type: 'EMAIL_VERIFIED', userId: user.id });
  const used = await consumeLink(
    deps,
    found.value,
    { kind: 'verify_email' },
    event,
    userNowHas(deps, user.id, link.email),
  );
  if (!used.ok) return used;
  await announceStoredEvent(deps, event, 0);
  return success(true);
}
