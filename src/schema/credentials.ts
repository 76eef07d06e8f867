import { AuthPayload } from './auth-payload.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({
      required: true,
      description: '8 to 128 characters; no composition rules.',
    }),
    name: t.string({ description: 'Optional display name, up to 100 characters.' }),
  }),
});

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayload,
    description: 'Creates an account and logs it in. Public: the Authorization header is not read.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => unwrap(await ctx.auth.signUp(input, ctx.client)),
  }),
);

builder.mutationField('login', (t) =>
  t.field({
    type: AuthPayload,
    description:
      'Opens a new session. Fails with UNAUTHENTICATED / INVALID_CREDENTIALS without saying ' +
      'whether the email or the password was wrong. Public: the Authorization header is not read.',
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => unwrap(await ctx.auth.logIn(input, ctx.client)),
  }),
);
