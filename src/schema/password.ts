import { AuthPayload } from './auth-payload.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({
      required: true,
      description: '8 to 128 characters, different from the current one.',
    }),
  }),
});

builder.mutationField('changePassword', (t) =>
  t.withAuth({ $all: { accessToken: true, secondFactor: 'ifEnrolled' } }).field({
    type: AuthPayload,
    description:
      'Replaces the caller’s password, ends every other session of the account, and returns a ' +
      'fresh pair for this one. The old refresh token of this session stops working at once. ' +
      'A wrong current password is BAD_USER_INPUT / WRONG_PASSWORD.',
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: async (_root, { input }, ctx) =>
      unwrap(await ctx.auth.changePassword(ctx.viewer, input, ctx.client)),
  }),
);
