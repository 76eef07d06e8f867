import type { AuthenticationFailure, InputFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { AuthDeps } from '../deps.js';
import type { LinkEffect, LinkUseResult } from '../ports/account-store.js';
import type { LinkPurpose, LinkTokenRecord } from '../ports/link-records.js';
import type { UserRecord } from '../ports/records.js';
import type { WriteEvent } from '../ports/store.js';
import { settleWrite } from '../sessions/settle-commit.js';
import { hashLinkToken, isWellFormedLinkToken } from './link-tokens.js';

/** Why a link was not accepted. */
export type LinkFailure = InputFailure | Extract<AuthenticationFailure, 'ACCOUNT_DISABLED'>;

const INVALID: InputFailure = { reason: 'LINK_INVALID', field: 'token' };

/** A stored token that looks usable, and its account, read before the use decides. */
export interface UsableLink {
  readonly link: LinkTokenRecord;
  readonly user: UserRecord;
}

/**
 * Reads the token to tell the caller whose it is, before any work (hashing a new password) is
 * spent on it. LINK_INVALID for a token unknown, used, superseded or of another purpose;
 * LINK_EXPIRED past its lifetime; ACCOUNT_DISABLED for a disabled account. Only a read: the
 * use itself is decided by {@link consumeLink}.
 */
export async function findUsableLink(
  deps: Pick<AuthDeps, 'store' | 'clock'>,
  token: string,
  purposes: readonly LinkPurpose[],
): Promise<Result<UsableLink, LinkFailure>> {
  if (!isWellFormedLinkToken(token)) return failure(INVALID);
  const link = await deps.store.accounts.findLink(hashLinkToken(token));
  if (link === null || !purposes.includes(link.purpose)) return failure(INVALID);
  if (link.expiresAt <= deps.clock.now())
    return failure({ reason: 'LINK_EXPIRED', field: 'token' });
  const user = await deps.store.users.findById(link.userId);
  if (user === null) return failure(INVALID);
  if (user.disabledAt !== null) return failure('ACCOUNT_DISABLED');
  return success({ link, user });
}

/** A use that went through: the account afterwards and what the use revoked or opened. */
export type LinkUsed = Extract<LinkUseResult, { outcome: 'used' }>;

/**
 * Consumes the token and applies `effect` with `event`, in one store transaction. A commit
 * whose outcome is unknown is settled by reading: the token gone and `committed()` finding
 * what the effect leaves means it committed.
 */
export async function consumeLink(
  deps: Pick<AuthDeps, 'store' | 'clock'>,
  found: UsableLink,
  effect: LinkEffect,
  event: WriteEvent,
  committed: () => Promise<LinkUsed | null>,
): Promise<Result<LinkUsed, LinkFailure>> {
  const { accounts } = deps.store;
  const { link } = found;
  const use = { tokenHash: link.tokenHash, purpose: link.purpose, now: deps.clock.now(), effect };
  const result = await settleWrite(accounts.useLink(use, event), async () =>
    (await accounts.findLink(link.tokenHash)) === null ? committed() : null,
  );
  switch (result.outcome) {
    case 'used':
      return success(result);
    case 'expired':
      return failure({ reason: 'LINK_EXPIRED', field: 'token' });
    case 'disabled':
      return failure('ACCOUNT_DISABLED');
    case 'email_taken':
      return failure({ reason: 'EMAIL_TAKEN', field: 'token' });
    case 'invalid':
      return failure(INVALID);
  }
}

/** For uses that leave the account with `email`, verified: what a settled commit reads back. */
export function userNowHas(
  deps: Pick<AuthDeps, 'store'>,
  userId: string,
  email: string,
): () => Promise<LinkUsed | null> {
  return async () => {
    const user = await deps.store.users.findById(userId);
    if (user === null || user.email !== email || !user.emailVerified) return null;
    return { outcome: 'used', user, session: null, revokedSessions: 0 };
  };
}
