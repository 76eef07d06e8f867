import { randomUUID } from 'node:crypto';
import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { recordEvent } from './events/record-event.js';
import { PENDING_FACTOR_TTL_MS } from './factors/mfa-settings.js';
import { createTotpSecret, describeTotp } from './factors/totp.js';
import { checkRateLimits } from './limits/check-rate-limits.js';
import { isPasswordOversized } from './passwords/passwords.js';
import type { Viewer } from './sessions/viewer.js';

export interface EnrollTotpInput {
  readonly currentPassword: string;
  readonly name: string | null;
}

/** What the user needs to add the factor to an authenticator app. Shown once. */
export interface TotpEnrollment {
  readonly factorId: string;
  /** base32, for typing in by hand. */
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrCodeSvg: string;
}

const MAX_FACTOR_NAME_LENGTH = 100;

/**
 * Starts a TOTP factor for the viewer: a fresh 160-bit secret, sealed at rest, stored as a
 * pending factor that `confirmTotp` must prove within 15 minutes (an earlier pending one is
 * replaced). Needs the current password (ASVS 7.5.1), and counts against the password-change
 * limits, so a stolen access token cannot guess it quickly. Assurance 2, when the account
 * already has a factor, is the API's to demand before this runs.
 */
export async function enrollTotp(
  deps: AuthDeps,
  viewer: Viewer,
  input: EnrollTotpInput,
  client: ClientInfo,
): Promise<Result<TotpEnrollment, AuthenticationFailure | InputFailure | RateLimitFailure>> {
  const limited = await checkRateLimits(
    deps,
    client,
    'enrollTotp',
    ['changePasswordPerIp', ['changePasswordPerAccount', viewer.userId]],
    viewer.userId,
  );
  if (limited !== null) return failure(limited);
  const name = input.name?.trim() || null;
  if (name !== null && [...name].length > MAX_FACTOR_NAME_LENGTH) {
    return failure({ reason: 'NAME_TOO_LONG', field: 'name' });
  }
  if (isPasswordOversized(input.currentPassword)) {
    return failure({ reason: 'PASSWORD_TOO_LONG', field: 'currentPassword' });
  }
  const user = await deps.store.users.findById(viewer.userId);
  if (user === null) return failure('SESSION_REVOKED');
  if (!(await deps.passwords.verify(user.passwordHash, input.currentPassword))) {
    await recordEvent(deps, client, {
      type: 'MFA_FAILED',
      userId: user.id,
      sessionId: viewer.sessionId,
      detail: 'ENROLL_WRONG_PASSWORD',
    });
    return failure({ reason: 'WRONG_PASSWORD', field: 'currentPassword' });
  }

  const secret = createTotpSecret();
  const factorId = randomUUID();
  const now = deps.clock.now();
  await deps.store.factors.insertPending({
    id: factorId,
    userId: user.id,
    type: 'TOTP',
    name,
    // Bound to the factor's id: a sealed secret copied onto another row does not open.
    sealedSecret: deps.secrets.seal(secret, factorId),
    createdAt: now,
    expiresAt: now + PENDING_FACTOR_TTL_MS,
  });
  const described = await describeTotp(secret, deps.settings.mfa.issuerName, user.email);
  return success({ factorId, secret, ...described });
}
