import type { UserRecord } from '../auth/ports/records.js';
import { ROLES } from '../auth/ports/records.js';
import { requireViewer, UNDER_EVERY_RESTRICTION } from './auth-scopes.js';
import { builder } from './builder.js';
import { forbiddenError } from './errors.js';
import { loadMfaStanding } from './mfa-standing.js';

export const Role = builder.enumType('Role', {
  description: 'What a user may do. Access tokens carry the roles in their `roles` claim.',
  values: ROLES,
});

// Fields are listed one by one, so a column such as password_hash can never leak by accident.
export const User = builder.objectRef<UserRecord>('User').implement({
  description: 'An account.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email', { description: 'Trimmed and lower-cased at sign-up.' }),
    name: t.exposeString('name', { nullable: true }),
    roles: t.field({ type: [Role], resolve: (user) => [...user.roles] }),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
    emailVerified: t.exposeBoolean('emailVerified', {
      description: 'True once the account followed a verification, reset or email-change link.',
    }),
    disabled: t.boolean({
      description: 'True while an operator or ADMIN has disabled the account.',
      resolve: (user) => user.disabledAt !== null,
    }),
    mfaEnabled: t.boolean({
      description: 'True while the account has a confirmed second factor.',
      resolve: async (user, _args, ctx) =>
        (await loadMfaStanding(ctx, user.id)).confirmedFactors > 0,
    }),
    recoveryCodesRemaining: t.int({
      description: 'How many unused recovery codes the account has left.',
      resolve: async (user, _args, ctx) =>
        (await loadMfaStanding(ctx, user.id)).recoveryCodesRemaining,
    }),
  }),
});

// An entity for the supergraph: other subgraphs may return a User by id and extend it. The
// lookup is guarded like `me` and `users`: an access token, and either the caller's own id or
// the ADMIN role. A User cannot carry type-level auth, since signUp and login return one.
builder.asEntity(User, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const viewer = await requireViewer(ctx);
    // A restricted session sees only its own user, whatever roles it holds.
    if (viewer.restrictions.length > 0 && id !== viewer.userId) throw forbiddenError();
    const found = await ctx.auth.findVisibleUser(viewer, id);
    if (!found.ok) throw forbiddenError();
    return found.value;
  },
});

builder.queryField('me', (t) =>
  t.withAuth({ restrictedAccessToken: UNDER_EVERY_RESTRICTION }).field({
    type: User,
    description:
      'The user behind the access token. Requires `Authorization: Bearer <access token>`.',
    // The user read with the session by the access check, when it was (one store read).
    resolve: (_root, _args, ctx) =>
      ctx.viewerUser?.id === ctx.viewer.userId
        ? ctx.viewerUser
        : ctx.auth.getUser(ctx.viewer.userId),
  }),
);

builder.queryField('users', (t) =>
  t.withAuth({ role: 'ADMIN' }).field({
    type: [User],
    description: 'Every user, oldest first. Requires an access token with the ADMIN role.',
    resolve: (_root, _args, ctx) => ctx.auth.listUsers(),
  }),
);
