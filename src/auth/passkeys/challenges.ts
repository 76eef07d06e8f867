import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthDeps } from '../deps.js';
import { PASSKEY_CHALLENGE_TTL_MS } from '../factors/passkey-settings.js';
import type { PasskeyChallengeRecord, PasskeyPurpose } from '../ports/passkey-store.js';
import { authenticationOptions, type CredentialDescriptor } from './webauthn.js';

/** What a start mutation answers: the challenge's id, and the options for the browser. */
export interface PasskeyChallenge {
  readonly challengeId: string;
  /** PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON. */
  readonly options: object;
}

/** A ceremony's second half: the challenge it answers, and the browser's credential JSON. */
export interface PasskeyResponseInput {
  readonly challengeId: string;
  readonly response: unknown;
}

/** Who asked for a registration or verification challenge; nobody for a login. */
export interface ChallengeOwner {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * A fresh challenge for `purpose`: 32 random bytes (base64url), stored before the options leave
 * so that only this service's challenges verify, each once, for 5 minutes.
 */
export function newChallenge(
  deps: Pick<AuthDeps, 'clock'>,
  purpose: PasskeyPurpose,
  owner: ChallengeOwner | null,
  name: string | null = null,
): PasskeyChallengeRecord {
  const now = deps.clock.now();
  return {
    id: randomUUID(),
    purpose,
    challenge: randomBytes(32).toString('base64url'),
    userId: owner?.userId ?? null,
    sessionId: owner?.sessionId ?? null,
    name,
    createdAt: now,
    expiresAt: now + PASSKEY_CHALLENGE_TTL_MS,
  };
}

/**
 * A login's or a verification's challenge, stored, with the request options naming `allow` (none:
 * any passkey the browser holds for the RP ID).
 */
export async function issueAssertionChallenge(
  deps: Pick<AuthDeps, 'clock' | 'store' | 'settings'>,
  purpose: 'login' | 'verification',
  owner: ChallengeOwner | null,
  allow: readonly CredentialDescriptor[],
): Promise<PasskeyChallenge> {
  const challenge = newChallenge(deps, purpose, owner);
  const settings = deps.settings.mfa.passkeys;
  const options = await authenticationOptions(settings, challenge.challenge, allow);
  await deps.store.passkeys.insertChallenge(challenge);
  return { challengeId: challenge.id, options };
}

/**
 * Takes the challenge (single use: it is gone whatever follows) and checks that it was issued
 * for `purpose` and, for a registration or verification, to this very session.
 */
export async function takeChallenge(
  deps: Pick<AuthDeps, 'clock' | 'store'>,
  challengeId: string,
  purpose: PasskeyPurpose,
  owner: ChallengeOwner | null,
): Promise<PasskeyChallengeRecord | null> {
  const taken = await deps.store.passkeys.takeChallenge(challengeId, purpose, deps.clock.now());
  if (taken === null) return null;
  if (owner !== null && (taken.userId !== owner.userId || taken.sessionId !== owner.sessionId)) {
    return null;
  }
  return taken;
}
