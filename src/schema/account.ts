import { AuthPayload } from './auth-payload.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';

// The account lifecycle: verified email, password reset, email change, delete, disable.

const ResetPasswordInput = builder.inputType('ResetPasswordInput', {
  fields: (t) => ({
    token: t.string({ required: true, description: 'The `token` of the reset mail’s link.' }),
    newPassword: t.string({ required: true, description: '8 to 128 characters.' }),
  }),
});

const ChangeEmailInput = builder.inputType('ChangeEmailInput', {
  fields: (t) => ({
    newEmail: t.string({ required: true }),
    currentPassword: t.string({ required: true }),
  }),
});

/** The unverified address's own remedies: reachable under any other restriction too. */
const EMAIL_REMEDY = { remedyOf: ['EMAIL_NOT_VERIFIED'] } as const;

builder.mutationField('requestEmailVerification', (t) =>
  t.withAuth({ restrictedAccessToken: EMAIL_REMEDY }).boolean({
    description:
      'Mails a new verification link to the caller’s address, replacing any earlier one. False ' +
      'when the address is verified already.',
    resolve: async (_root, _args, ctx) =>
      unwrap(await ctx.auth.requestEmailVerification(ctx.viewer, ctx.client)),
  }),
);

builder.mutationField('verifyEmail', (t) =>
  t.boolean({
    description:
      'Verifies the address with the token of a verification link. BAD_USER_INPUT / ' +
      'LINK_INVALID or LINK_EXPIRED (field `token`) otherwise. Public.',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, { token }, ctx) => unwrap(await ctx.auth.verifyEmail(token, ctx.client)),
  }),
);

builder.mutationField('requestPasswordReset', (t) =>
  t.boolean({
    description:
      'Mails a password-reset link to the address if an enabled account has it. Always true for ' +
      'a well-formed address, whether or not it has an account. Public.',
    args: { email: t.arg.string({ required: true }) },
    resolve: async (_root, { email }, ctx) =>
      unwrap(await ctx.auth.requestPasswordReset(email, ctx.client)),
  }),
);

builder.mutationField('resetPassword', (t) =>
  t.field({
    type: AuthPayload,
    description:
      'Sets a new password with the token of a reset link, ends every session of the account, ' +
      'marks the address verified and returns the pair of a new session. Public.',
    args: { input: t.arg({ type: ResetPasswordInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      unwrap(await ctx.auth.resetPassword(input, ctx.client)),
  }),
);

builder.mutationField('changeEmail', (t) =>
  t
    .withAuth({ $all: { restrictedAccessToken: EMAIL_REMEDY, secondFactor: 'ifEnrolled' } })
    .boolean({
      description:
        'Mails a confirmation link to the new address and, to the current one, a notice with an ' +
        'undo link. The address changes on confirmEmailChange. EMAIL_TAKEN when another account ' +
        'has it; WRONG_PASSWORD for a wrong current password. Assurance 2 when the account has a ' +
        'second factor.',
      args: { input: t.arg({ type: ChangeEmailInput, required: true }) },
      resolve: async (_root, { input }, ctx) =>
        unwrap(await ctx.auth.changeEmail(ctx.viewer, input, ctx.client)),
    }),
);

builder.mutationField('confirmEmailChange', (t) =>
  t.boolean({
    description:
      'Applies an email-change link: the confirmation gives the account its new address; the ' +
      'undo link (in the notice to the old address) restores the old one and ends every ' +
      'session. EMAIL_TAKEN (field `token`) when the address was taken meanwhile. Public.',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, { token }, ctx) =>
      unwrap(await ctx.auth.confirmEmailChange(token, ctx.client)),
  }),
);

builder.mutationField('deleteAccount', (t) =>
  t.withAuth({ $all: { accessToken: true, secondFactor: 'ifEnrolled' } }).boolean({
    description:
      'Deletes the caller’s account, its sessions and links, after checking the password. The ' +
      'address may sign up again. Assurance 2 when the account has a second factor.',
    args: { currentPassword: t.arg.string({ required: true }) },
    resolve: async (_root, { currentPassword }, ctx) =>
      unwrap(await ctx.auth.deleteAccount(ctx.viewer, currentPassword, ctx.client)),
  }),
);

builder.mutationField('disableUser', (t) =>
  t.withAuth({ role: 'ADMIN' }).boolean({
    description:
      'Disables an account and ends every session of it; its login answers ACCOUNT_DISABLED ' +
      '(after the correct password only). False when already disabled or unknown. ADMIN.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, { userId }, ctx) =>
      ctx.auth.setUserDisabled(ctx.viewer, String(userId), true, ctx.client),
  }),
);

builder.mutationField('enableUser', (t) =>
  t.withAuth({ role: 'ADMIN' }).boolean({
    description: 'Enables a disabled account. False when not disabled or unknown. ADMIN.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, { userId }, ctx) =>
      ctx.auth.setUserDisabled(ctx.viewer, String(userId), false, ctx.client),
  }),
);
