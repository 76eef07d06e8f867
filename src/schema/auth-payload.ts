import { SESSION_RESTRICTIONS } from '../auth/ports/records.js';
import type { AuthGrant } from '../auth/sessions/grant.js';
import { builder } from './builder.js';
import { User } from './user.js';

export const SessionRestriction = builder.enumType('SessionRestriction', {
  description: 'Why a live session reaches only part of the API.',
  values: SESSION_RESTRICTIONS,
});

export const AuthPayload = builder.objectRef<AuthGrant>('AuthPayload').implement({
  description:
    'A token pair. Send the access token as `Authorization: Bearer <accessToken>` to the API, ' +
    'and the refresh token the same way, only to `reissue`.',
  fields: (t) => ({
    accessToken: t.string({
      description: 'Short-lived JWT (`typ: at+jwt`, `type: "access"`).',
      resolve: (grant) => grant.tokens.accessToken,
    }),
    refreshToken: t.string({
      description: 'Long-lived JWT (`typ: rt+jwt`, `type: "refresh"`). Each `reissue` retires it.',
      resolve: (grant) => grant.tokens.refreshToken,
    }),
    tokenType: t.string({ description: 'Always "Bearer".', resolve: () => 'Bearer' }),
    accessTokenExpiresAt: t.field({
      type: 'DateTime',
      resolve: (grant) => grant.tokens.accessTokenExpiresAt,
    }),
    refreshTokenExpiresAt: t.field({
      type: 'DateTime',
      description:
        'Moves forward with each reissue, but never past the session’s absolute lifetime.',
      resolve: (grant) => grant.tokens.refreshTokenExpiresAt,
    }),
    user: t.field({ type: User, resolve: (grant) => grant.user }),
    restrictions: t.field({
      type: [SessionRestriction],
      description:
        'What the session may not do yet; empty for a full session. With EMAIL_NOT_VERIFIED ' +
        'its access token reaches only me, logout, requestEmailVerification and changeEmail; ' +
        'with MFA_REQUIRED only me, logout, mfaFactors, verifyTotp, verifyRecoveryCode and the ' +
        'passkey verification; with MFA_ENROLLMENT_REQUIRED only me, logout, mfaFactors, ' +
        'enrollTotp, confirmTotp and the passkey registration.',
      resolve: (grant) => [...grant.restrictions],
    }),
    assuranceLevel: t.int({
      description:
        '1 after a password; 2 once the session proved a second factor (the token’s `aal`).',
      resolve: (grant) => grant.assuranceLevel,
    }),
  }),
});
