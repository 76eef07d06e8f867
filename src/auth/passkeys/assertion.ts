import type { AuthDeps } from '../deps.js';
import type { MfaFactorRecord } from '../ports/factor-store.js';
import type { PasskeyChallengeRecord, PasskeyUse } from '../ports/passkey-store.js';
import { isCounterRegression, readAssertion, userHandleOf, verifyAssertion } from './webauthn.js';

/**
 * What an assertion proved. The detail of a refusal is for the audit log only: the caller's
 * answer does not tell them apart.
 */
export type AssertionCheck =
  | { readonly outcome: 'verified'; readonly passkey: MfaFactorRecord; readonly use: PasskeyUse }
  | {
      readonly outcome: 'rejected';
      readonly detail:
        | 'CHALLENGE'
        | 'MALFORMED'
        | 'UNKNOWN_CREDENTIAL'
        | 'USER_HANDLE_MISMATCH'
        | 'SIGNATURE'
        | 'COUNTER_REGRESSED';
      readonly passkey: MfaFactorRecord | null;
    };

/**
 * Checks a login or verification assertion against a challenge already taken: a passkey this
 * service stored (of `userId`, when given), a user handle naming its owner, a valid signature
 * with user verification for this challenge, origin and RP ID, and a counter that went forward.
 */
export async function checkAssertion(
  deps: Pick<AuthDeps, 'store' | 'settings' | 'clock'>,
  challenge: PasskeyChallengeRecord | null,
  response: unknown,
  userId: string | null,
): Promise<AssertionCheck> {
  if (challenge === null) return { outcome: 'rejected', detail: 'CHALLENGE', passkey: null };
  const assertion = readAssertion(response);
  if (assertion === null) return { outcome: 'rejected', detail: 'MALFORMED', passkey: null };
  const passkey = await deps.store.passkeys.findByCredentialId(assertion.id);
  if (passkey === null || (userId !== null && passkey.userId !== userId)) {
    return { outcome: 'rejected', detail: 'UNKNOWN_CREDENTIAL', passkey: null };
  }
  const { userHandle } = assertion.response;
  if (typeof userHandle === 'string' && userHandle !== userHandleOf(passkey.userId)) {
    return { outcome: 'rejected', detail: 'USER_HANDLE_MISMATCH', passkey };
  }
  const settings = deps.settings.mfa.passkeys;
  const verified = await verifyAssertion(settings, assertion, challenge.challenge, passkey);
  if (verified === null) return { outcome: 'rejected', detail: 'SIGNATURE', passkey };
  const stored = passkey.signCount ?? 0;
  if (isCounterRegression(stored, verified.signCount)) {
    return { outcome: 'rejected', detail: 'COUNTER_REGRESSED', passkey };
  }
  return {
    outcome: 'verified',
    passkey,
    use: {
      factorId: passkey.id,
      expectedSignCount: stored,
      signCount: verified.signCount,
      backedUp: verified.backedUp,
      now: deps.clock.now(),
    },
  };
}
