import type {
  AuthenticationFailure,
  ForbiddenFailure,
  InputFailure,
  RateLimitFailure,
} from '../errors.js';
import type { Result } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import { type ConfirmTotpInput, confirmTotp } from './confirm-totp.js';
import type { AuthDeps } from './deps.js';
import { type EnrollTotpInput, enrollTotp, type TotpEnrollment } from './enroll-totp.js';
import type { MfaConfirmation } from './factors/mfa-confirmation.js';
import { findAssuranceFailure } from './factors/step-up.js';
import {
  listFactors,
  mfaStanding,
  regenerateRecoveryCodes,
  removeFactor,
} from './manage-factors.js';
import type { PasskeyChallenge, PasskeyResponseInput } from './passkeys/challenges.js';
import { finishPasskeyLogin, startPasskeyLogin } from './passkeys/log-in-with-passkey.js';
import {
  finishPasskeyRegistration,
  type StartPasskeyRegistrationInput,
  startPasskeyRegistration,
} from './passkeys/register-passkey.js';
import { finishPasskeyVerification, startPasskeyVerification } from './passkeys/verify-passkey.js';
import type { MfaFactorRecord, MfaStanding } from './ports/factor-store.js';
import type { AuthGrant } from './sessions/grant.js';
import {
  announceGrants,
  type TokenListener,
  type WithoutGrants,
} from './sessions/token-listener.js';
import type { Viewer } from './sessions/viewer.js';
import { verifyRecoveryCode } from './verify-recovery-code.js';
import { verifyTotp } from './verify-totp.js';

/** Second factors: TOTP, recovery codes and passkeys. Part of AuthService. */
export interface SecondFactorService {
  /** MFA_REQUIRED when the viewer's token is at assurance 1 and the account has a factor. */
  findAssuranceFailure(viewer: Viewer): Promise<ForbiddenFailure | null>;
  listMfaFactors(userId: string): Promise<MfaFactorRecord[]>;
  mfaStanding(userId: string): Promise<MfaStanding>;
  enrollTotp(
    viewer: Viewer,
    input: EnrollTotpInput,
    client: ClientInfo,
  ): Promise<Result<TotpEnrollment, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  confirmTotp(
    viewer: Viewer,
    input: ConfirmTotpInput,
    client: ClientInfo,
  ): Promise<Result<MfaConfirmation, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  verifyTotp(
    viewer: Viewer,
    code: string,
    client: ClientInfo,
  ): Promise<
    Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure | ForbiddenFailure>
  >;
  verifyRecoveryCode(
    viewer: Viewer,
    code: string,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  regenerateRecoveryCodes(
    viewer: Viewer,
    client: ClientInfo,
  ): Promise<Result<string[], InputFailure | ForbiddenFailure>>;
  removeMfaFactor(
    viewer: Viewer,
    factorId: string,
    client: ClientInfo,
  ): Promise<Result<boolean, ForbiddenFailure>>;
  startPasskeyRegistration(
    viewer: Viewer,
    input: StartPasskeyRegistrationInput,
    client: ClientInfo,
  ): Promise<
    Result<
      PasskeyChallenge,
      AuthenticationFailure | InputFailure | RateLimitFailure | ForbiddenFailure
    >
  >;
  finishPasskeyRegistration(
    viewer: Viewer,
    input: PasskeyResponseInput,
    client: ClientInfo,
  ): Promise<Result<MfaConfirmation, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  startPasskeyLogin(
    email: string | null,
    client: ClientInfo,
  ): Promise<Result<PasskeyChallenge, InputFailure | RateLimitFailure>>;
  finishPasskeyLogin(
    input: PasskeyResponseInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  startPasskeyVerification(
    viewer: Viewer,
    client: ClientInfo,
  ): Promise<Result<PasskeyChallenge, InputFailure | RateLimitFailure>>;
  finishPasskeyVerification(
    viewer: Viewer,
    input: PasskeyResponseInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
}

/** The confirmations carry their grant inside, out of announceGrants' sight. */
type ConfirmationName = 'confirmTotp' | 'finishPasskeyRegistration';

/** The second-factor operations for one caller, every grant reaching `listener` first. */
export function secondFactorOperations(
  deps: AuthDeps,
  listener: TokenListener,
): SecondFactorService {
  const others: Omit<WithoutGrants<SecondFactorService>, ConfirmationName> = {
    findAssuranceFailure: (viewer) => findAssuranceFailure(deps, viewer),
    listMfaFactors: (userId) => listFactors(deps, userId),
    mfaStanding: (userId) => mfaStanding(deps, userId),
    enrollTotp: (viewer, input, client) => enrollTotp(deps, viewer, input, client),
    regenerateRecoveryCodes: (viewer, client) => regenerateRecoveryCodes(deps, viewer, client),
    removeMfaFactor: (viewer, factorId, client) => removeFactor(deps, viewer, factorId, client),
    startPasskeyRegistration: (viewer, input, client) =>
      startPasskeyRegistration(deps, viewer, input, client),
    startPasskeyLogin: (email, client) => startPasskeyLogin(deps, email, client),
    startPasskeyVerification: (viewer, client) => startPasskeyVerification(deps, viewer, client),
  };
  return {
    ...others,
    async confirmTotp(viewer, input, client) {
      const confirmed = await confirmTotp(deps, viewer, input, client);
      if (confirmed.ok) listener.issued(confirmed.value.grant);
      return confirmed;
    },
    async finishPasskeyRegistration(viewer, input, client) {
      const registered = await finishPasskeyRegistration(deps, viewer, input, client);
      if (registered.ok) listener.issued(registered.value.grant);
      return registered;
    },
    ...announceGrants(deps, listener, {
      // Step-ups: a new pair for the same session, the previous refresh token retired.
      verifyTotp,
      verifyRecoveryCode,
      finishPasskeyVerification,
      // A new session at assurance 2.
      finishPasskeyLogin,
    }),
  };
}
