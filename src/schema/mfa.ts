import type { TotpEnrollment } from '../auth/enroll-totp.js';
import type { MfaConfirmation } from '../auth/factors/mfa-confirmation.js';
import { MFA_FACTOR_TYPES, type MfaFactorRecord } from '../auth/ports/factor-store.js';
import { AuthPayload } from './auth-payload.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';

// Second factors: TOTP enrolment, step-up, recovery codes.

const MfaFactorType = builder.enumType('MfaFactorType', {
  description: 'The kind of a second factor.',
  values: MFA_FACTOR_TYPES,
});

const MfaFactor = builder.objectRef<MfaFactorRecord>('MfaFactor').implement({
  description: 'A confirmed second factor. Its secret is never shown again after enrolment.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.field({ type: MfaFactorType, resolve: (factor) => factor.type }),
    name: t.exposeString('name', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (factor) => factor.createdAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (factor) => factor.lastUsedAt,
    }),
  }),
});

const TotpEnrollmentType = builder.objectRef<TotpEnrollment>('TotpEnrollment').implement({
  description:
    'A pending TOTP factor: add it to an authenticator app (scan `qrCodeSvg` or type `secret`), ' +
    'then prove a code with confirmTotp within 15 minutes. Shown once.',
  fields: (t) => ({
    factorId: t.exposeID('factorId'),
    secret: t.exposeString('secret', { description: 'The shared secret, base32.' }),
    otpauthUri: t.exposeString('otpauthUri', {
      description: 'The `otpauth://totp/…` URI, naming the issuer (MFA_ISSUER_NAME) and the email.',
    }),
    qrCodeSvg: t.exposeString('qrCodeSvg', { description: '`otpauthUri` as a QR code, SVG.' }),
  }),
});

export const MfaConfirmationType = builder.objectRef<MfaConfirmation>('MfaConfirmation').implement({
  description: 'A factor just confirmed, and the session’s new pair at assurance 2.',
  fields: (t) => ({
    factor: t.field({ type: MfaFactor, resolve: (confirmation) => confirmation.factor }),
    recoveryCodes: t.stringList({
      description:
        'The account’s 10 recovery codes, shown this once, for its first factor; empty for a ' +
        'later one (the codes already issued stay valid).',
      resolve: (confirmation) => [...confirmation.recoveryCodes],
    }),
    tokens: t.field({ type: AuthPayload, resolve: (confirmation) => confirmation.grant }),
  }),
});

/** The second-factor restrictions' reach: mfaFactors is readable under both. */
const UNDER_MFA_RESTRICTIONS = { under: ['MFA_REQUIRED', 'MFA_ENROLLMENT_REQUIRED'] } as const;
/** What lifts MFA_REQUIRED; it also serves a full session, to refresh `auth_time`. */
export const STEP_UP = { remedyOf: ['MFA_REQUIRED'] } as const;
/** What lifts MFA_ENROLLMENT_REQUIRED. */
export const ENROLMENT = { remedyOf: ['MFA_ENROLLMENT_REQUIRED'] } as const;

builder.queryField('mfaFactors', (t) =>
  t.withAuth({ restrictedAccessToken: UNDER_MFA_RESTRICTIONS }).field({
    type: [MfaFactor],
    description: 'The caller’s confirmed second factors, oldest first.',
    resolve: (_root, _args, ctx) => ctx.auth.listMfaFactors(ctx.viewer.userId),
  }),
);

builder.mutationField('enrollTotp', (t) =>
  t.withAuth({ $all: { restrictedAccessToken: ENROLMENT, secondFactor: 'ifEnrolled' } }).field({
    type: TotpEnrollmentType,
    description:
      'Starts a TOTP factor; confirmTotp activates it. Needs the current password ' +
      '(WRONG_PASSWORD), and assurance 2 when the account already has a factor.',
    args: {
      currentPassword: t.arg.string({ required: true }),
      name: t.arg.string({ description: 'Shown in mfaFactors, such as "Phone".' }),
    },
    resolve: async (_root, { currentPassword, name }, ctx) =>
      unwrap(
        await ctx.auth.enrollTotp(ctx.viewer, { currentPassword, name: name ?? null }, ctx.client),
      ),
  }),
);

builder.mutationField('confirmTotp', (t) =>
  t.withAuth({ restrictedAccessToken: ENROLMENT }).field({
    type: MfaConfirmationType,
    description:
      'Activates a pending TOTP factor with a current code: this session reaches assurance 2, ' +
      'the account’s other sessions must prove the factor (MFA_REQUIRED), and the first factor ' +
      'comes with 10 recovery codes. INVALID_CODE, FACTOR_EXPIRED or FACTOR_NOT_FOUND otherwise.',
    args: {
      factorId: t.arg.id({ required: true }),
      code: t.arg.string({ required: true }),
    },
    resolve: async (_root, { factorId, code }, ctx) =>
      unwrap(
        await ctx.auth.confirmTotp(ctx.viewer, { factorId: String(factorId), code }, ctx.client),
      ),
  }),
);

builder.mutationField('verifyTotp', (t) =>
  t.withAuth({ restrictedAccessToken: STEP_UP }).field({
    type: AuthPayload,
    description:
      'Proves the second factor with a TOTP code: a new pair for the same session at assurance ' +
      '2 (its previous refresh token is retired). Each code works once. INVALID_CODE or ' +
      'MFA_LOCKED otherwise.',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, ctx) =>
      unwrap(await ctx.auth.verifyTotp(ctx.viewer, code, ctx.client)),
  }),
);

builder.mutationField('verifyRecoveryCode', (t) =>
  t.withAuth({ restrictedAccessToken: STEP_UP }).field({
    type: AuthPayload,
    description:
      'Proves the second factor with a recovery code, which is used up; also lifts MFA_LOCKED. ' +
      'A new pair for the same session at assurance 2. INVALID_CODE otherwise.',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, ctx) =>
      unwrap(await ctx.auth.verifyRecoveryCode(ctx.viewer, code, ctx.client)),
  }),
);

builder.mutationField('regenerateRecoveryCodes', (t) =>
  t.withAuth({ $all: { accessToken: true, secondFactor: 'always' } }).stringList({
    description:
      'Replaces every recovery code with 10 new ones, shown this once. Assurance 2 and a recent ' +
      'authentication (REAUTH_MAX_AGE). NO_MFA_FACTOR without a factor.',
    resolve: async (_root, _args, ctx) =>
      unwrap(await ctx.auth.regenerateRecoveryCodes(ctx.viewer, ctx.client)),
  }),
);

builder.mutationField('removeMfaFactor', (t) =>
  t.withAuth({ $all: { accessToken: true, secondFactor: 'always' } }).boolean({
    description:
      'Removes one of the caller’s factors; the last one takes the recovery codes with it. ' +
      'Assurance 2 and a recent authentication (REAUTH_MAX_AGE). False for an unknown id.',
    args: { factorId: t.arg.id({ required: true }) },
    resolve: async (_root, { factorId }, ctx) =>
      unwrap(await ctx.auth.removeMfaFactor(ctx.viewer, String(factorId), ctx.client)),
  }),
);
