import { randomUUID } from 'node:crypto';
import type {
  AuthenticationFailure,
  ForbiddenFailure,
  InputFailure,
  RateLimitFailure,
} from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { ClientInfo } from '../client/client-info.js';
import type { AuthDeps } from '../deps.js';
import { recordEvent, stampEvent } from '../events/record-event.js';
import { confirmationOf, findActivated } from '../factors/activation.js';
import type { MfaConfirmation } from '../factors/mfa-confirmation.js';
import { MAX_PASSKEYS_PER_USER } from '../factors/passkey-settings.js';
import { createRecoveryCodes, hashRecoveryCodes } from '../factors/recovery-codes.js';
import { findReauthenticationFailure, stepUpOf } from '../factors/step-up.js';
import { checkRateLimits } from '../limits/check-rate-limits.js';
import { isPasswordOversized } from '../passwords/passwords.js';
import type { UserRecord } from '../ports/records.js';
import { newMail } from '../recovery/queue-mail.js';
import { findSessionFailure } from '../sessions/session-state.js';
import { settleWrite } from '../sessions/settle-commit.js';
import type { Viewer } from '../sessions/viewer.js';
import {
  newChallenge,
  type PasskeyChallenge,
  type PasskeyResponseInput,
  takeChallenge,
} from './challenges.js';
import { descriptorsOf, registrationOptions, verifyRegistration } from './webauthn.js';

export interface StartPasskeyRegistrationInput {
  readonly name: string | null;
  readonly currentPassword: string | null;
}

type StartFailure = AuthenticationFailure | InputFailure | RateLimitFailure | ForbiddenFailure;
type FinishFailure = AuthenticationFailure | InputFailure | RateLimitFailure;

const MAX_FACTOR_NAME_LENGTH = 100;
const REJECTED: InputFailure = { reason: 'PASSKEY_REJECTED', field: 'response' };

/**
 * Starts adding a passkey to the viewer's account. A stolen access token alone must not add an
 * attacker's passkey, so this needs a recent authentication: `auth_time` within REAUTH_MAX_AGE,
 * or the current password (counted against the password-change limits). Assurance 2, when the
 * account already has a factor, is the API's to demand before this runs. The options ask for a
 * discoverable credential with user verification, no attestation, and exclude the user's
 * passkeys, so one authenticator is not registered twice.
 */
export async function startPasskeyRegistration(
  deps: AuthDeps,
  viewer: Viewer,
  input: StartPasskeyRegistrationInput,
  client: ClientInfo,
): Promise<Result<PasskeyChallenge, StartFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'startPasskeyRegistration',
    ['passkeyPerIp'],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const name = input.name?.trim() || null;
  if (name !== null && [...name].length > MAX_FACTOR_NAME_LENGTH) {
    return failure({ reason: 'NAME_TOO_LONG', field: 'name' });
  }
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  const stale = findReauthenticationFailure(deps, viewer);
  if (stale !== null) {
    if (input.currentPassword === null) return failure(stale);
    const wrong = await checkCurrentPassword(deps, viewer, user, input.currentPassword, client);
    if (wrong !== null) return failure(wrong);
  }
  const passkeys = await deps.store.passkeys.listByUser(user.id);
  if (passkeys.length >= MAX_PASSKEYS_PER_USER) {
    return failure({ reason: 'TOO_MANY_PASSKEYS', field: 'name' });
  }
  const challenge = newChallenge(deps, 'registration', viewer, name);
  const exclude = descriptorsOf(passkeys);
  const options = await registrationOptions(
    deps.settings.mfa.passkeys,
    user,
    challenge.challenge,
    exclude,
  );
  await deps.store.passkeys.insertChallenge(challenge);
  return success({ challengeId: challenge.id, options });
}

/** The current password as re-authentication: null when it is right. */
async function checkCurrentPassword(
  deps: AuthDeps,
  viewer: Viewer,
  user: UserRecord,
  currentPassword: string,
  client: ClientInfo,
): Promise<InputFailure | RateLimitFailure | null> {
  const limited = await checkRateLimits(
    deps,
    client,
    'startPasskeyRegistration',
    ['changePasswordPerIp', ['changePasswordPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return limited;
  if (isPasswordOversized(currentPassword)) {
    return { reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' };
  }
  if (await deps.passwords.verify(user.passwordHash, currentPassword)) return null;
  await recordEvent(deps, client, {
    type: 'PASSKEY_REJECTED',
    userId: user.id,
    sessionId: viewer.sessionId,
    detail: 'REGISTRATION_WRONG_PASSWORD',
  });
  return { reason: 'WRONG_PASSWORD', field: 'currentPassword' };
}

/**
 * Verifies the browser's answer to a registration challenge of this session and stores the
 * passkey, doing what `confirmTotp` does in the same transaction: this session reaches
 * assurance 2 (`hwk` added to its methods; the passkey proved user verification) with a new
 * pair, the first factor brings 10 recovery codes, the account's other sessions at assurance 1
 * are restricted with MFA_REQUIRED, and a notice mail is queued.
 */
export async function finishPasskeyRegistration(
  deps: AuthDeps,
  viewer: Viewer,
  input: PasskeyResponseInput,
  client: ClientInfo,
): Promise<Result<MfaConfirmation, FinishFailure>> {
  const { store, clock } = deps;
  const limited = await checkRateLimits(
    deps,
    client,
    'finishPasskeyRegistration',
    ['passkeyPerIp'],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const challenge = await takeChallenge(deps, input.challengeId, 'registration', viewer);
  const settings = deps.settings.mfa.passkeys;
  const credential =
    challenge === null
      ? null
      : await verifyRegistration(settings, input.response, challenge.challenge);
  if (challenge === null || credential === null) {
    await recordEvent(deps, client, {
      type: 'PASSKEY_REJECTED',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      detail: challenge === null ? 'REGISTRATION_CHALLENGE' : 'REGISTRATION_INVALID',
    });
    return failure(REJECTED);
  }
  const user = await store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');

  const now = clock.now();
  const recoveryCodes = createRecoveryCodes();
  const stepUp = stepUpOf(deps, viewer, 'hwk');
  const factorId = randomUUID();
  const event = stampEvent(deps, client, {
    type: 'PASSKEY_REGISTERED',
    userId: user.id,
    sessionId: viewer.sessionId,
    detail: factorId,
  });
  const registration = {
    factor: {
      id: factorId,
      userId: user.id,
      type: 'PASSKEY' as const,
      name: challenge.name,
      sealedSecret: null,
      createdAt: now,
      expiresAt: null,
    },
    credential,
    maxPasskeys: MAX_PASSKEYS_PER_USER,
    stepUp,
    recoveryCodeHashes: hashRecoveryCodes(recoveryCodes),
    otherSessionsDeadline: now + deps.settings.mfa.challengeTtl * 1000,
    notice: newMail(deps, 'mfa_enrolled', user.email, user.id, {
      factorName: challenge.name ?? 'Passkey',
      factorType: 'PASSKEY',
    }),
  };
  const result = await settleWrite(store.passkeys.register(user.id, registration, event), () =>
    findActivated(deps, factorId, stepUp),
  );
  if (result.outcome !== 'confirmed') {
    if (result.outcome === 'too_many') {
      return failure({ reason: 'TOO_MANY_PASSKEYS', field: 'response' });
    }
    if (result.outcome !== 'session_gone') return failure(REJECTED); // a duplicate credential
    const session = await store.sessions.findById(viewer.sessionId);
    return failure(findSessionFailure(session, viewer.userId, clock.now()) ?? 'SESSION_REVOKED');
  }
  return success(await confirmationOf(deps, result, recoveryCodes, user, event));
}
