import type { PasskeyChallenge } from '../auth/passkeys/challenges.js';
import { AuthPayload } from './auth-payload.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';
import { JsonScalar } from './json.js';
import { ENROLMENT, MfaConfirmationType, STEP_UP } from './mfa.js';

// Passkeys (WebAuthn): registration as a second factor, passwordless login, and step-up. Each
// ceremony is two mutations: start (a challenge and the browser's options) and finish (the
// browser's credential JSON). The challenge is single use and expires after 5 minutes.

const PasskeyChallengeType = builder.objectRef<PasskeyChallenge>('PasskeyChallenge').implement({
  description:
    'A passkey ceremony’s first half: give `options` to the browser, then send its answer with ' +
    '`challengeId` to the matching finish mutation within 5 minutes. Single use.',
  fields: (t) => ({
    challengeId: t.exposeID('challengeId'),
    options: t.field({
      type: JsonScalar,
      description:
        'PublicKeyCredentialCreationOptionsJSON (registration) or ' +
        'PublicKeyCredentialRequestOptionsJSON (login, verification).',
      resolve: (challenge) => challenge.options,
    }),
  }),
});

const finishArgs = (t: PothosArgs) => ({
  challengeId: t.arg.id({ required: true }),
  response: t.arg({
    type: JsonScalar,
    required: true,
    description: 'The credential’s `toJSON()`.',
  }),
});

type PothosArgs = Parameters<Parameters<typeof builder.mutationField>[1]>[0];

builder.mutationField('startPasskeyRegistration', (t) =>
  t.withAuth({ $all: { restrictedAccessToken: ENROLMENT, secondFactor: 'ifEnrolled' } }).field({
    type: PasskeyChallengeType,
    description:
      'Starts adding a passkey (user verification required, discoverable). Needs a recent ' +
      'authentication (REAUTH_MAX_AGE) or `currentPassword`, else FORBIDDEN / ' +
      'REAUTHENTICATION_REQUIRED; assurance 2 when the account already has a factor. At most 20 ' +
      'passkeys (TOO_MANY_PASSKEYS).',
    args: {
      name: t.arg.string({ description: 'Shown in mfaFactors, such as "Laptop".' }),
      currentPassword: t.arg.string({
        description: 'Re-authenticates when the last authentication is older than REAUTH_MAX_AGE.',
      }),
    },
    resolve: async (_root, { name, currentPassword }, ctx) =>
      unwrap(
        await ctx.auth.startPasskeyRegistration(
          ctx.viewer,
          { name: name ?? null, currentPassword: currentPassword ?? null },
          ctx.client,
        ),
      ),
  }),
);

builder.mutationField('finishPasskeyRegistration', (t) =>
  t.withAuth({ $all: { restrictedAccessToken: ENROLMENT, secondFactor: 'ifEnrolled' } }).field({
    type: MfaConfirmationType,
    description:
      'Stores the passkey: as confirmTotp, this session reaches assurance 2 (`amr` gains ' +
      '`hwk`), the other sessions must prove a factor, and a first factor brings 10 recovery ' +
      'codes. PASSKEY_REJECTED when the response does not verify for this session’s challenge.',
    args: finishArgs(t),
    resolve: async (_root, { challengeId, response }, ctx) =>
      unwrap(
        await ctx.auth.finishPasskeyRegistration(
          ctx.viewer,
          { challengeId: String(challengeId), response },
          ctx.client,
        ),
      ),
  }),
);

builder.mutationField('startPasskeyLogin', (t) =>
  t.field({
    type: PasskeyChallengeType,
    description:
      'Starts a passkey login. Without `email` the browser offers its passkeys for this ' +
      'service; with one, `allowCredentials` names the account’s (the answer looks the same for ' +
      'an unknown email). Public: the Authorization header is not read.',
    args: { email: t.arg.string() },
    resolve: async (_root, { email }, ctx) =>
      unwrap(await ctx.auth.startPasskeyLogin(email ?? null, ctx.client)),
  }),
);

builder.mutationField('finishPasskeyLogin', (t) =>
  t.field({
    type: AuthPayload,
    description:
      'Opens a session at assurance 2 (`amr` ["hwk"]) with no password and no TOTP: the ' +
      'passkey’s user verification is the second factor. UNAUTHENTICATED / ' +
      'INVALID_CREDENTIALS otherwise. Public: the Authorization header is not read.',
    args: finishArgs(t),
    resolve: async (_root, { challengeId, response }, ctx) =>
      unwrap(
        await ctx.auth.finishPasskeyLogin(
          { challengeId: String(challengeId), response },
          ctx.client,
        ),
      ),
  }),
);

builder.mutationField('startPasskeyVerification', (t) =>
  t.withAuth({ restrictedAccessToken: STEP_UP }).field({
    type: PasskeyChallengeType,
    description:
      'Starts proving the second factor with one of the caller’s passkeys (NO_PASSKEY without ' +
      'one). Reached by a session restricted with MFA_REQUIRED too.',
    resolve: async (_root, _args, ctx) =>
      unwrap(await ctx.auth.startPasskeyVerification(ctx.viewer, ctx.client)),
  }),
);

builder.mutationField('finishPasskeyVerification', (t) =>
  t.withAuth({ restrictedAccessToken: STEP_UP }).field({
    type: AuthPayload,
    description:
      'A new pair for the same session at assurance 2, `amr` gaining `hwk` (its previous ' +
      'refresh token is retired). PASSKEY_REJECTED when the response does not verify.',
    args: finishArgs(t),
    resolve: async (_root, { challengeId, response }, ctx) =>
      unwrap(
        await ctx.auth.finishPasskeyVerification(
          ctx.viewer,
          { challengeId: String(challengeId), response },
          ctx.client,
        ),
      ),
  }),
);
