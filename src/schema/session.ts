import type { LOGOUT_SCOPES } from '../auth/log-out.js';
import { AuthPayload } from './auth-payload.js';
import { UNDER_EVERY_RESTRICTION } from './auth-scopes.js';
import { builder } from './builder.js';
import { unwrap } from './errors.js';

const LogoutScope = builder.enumType('LogoutScope', {
  description: 'Which of the caller’s sessions `logout` ends.',
  values: {
    CURRENT: { description: 'The session of the access token sent.' },
    OTHERS: { description: 'Every other session of the same user.' },
    ALL: { description: 'Every session of the user, this one included.' },
  } satisfies Record<(typeof LOGOUT_SCOPES)[number], { description: string }>,
});

builder.mutationField('reissue', (t) =>
  t.withAuth({ refreshToken: true }).field({
    type: AuthPayload,
    description:
      'Rotates the refresh token sent as `Authorization: Bearer <refreshToken>`: returns a new ' +
      'pair for the same session and retires the old refresh token. Presenting a retired refresh ' +
      'token again ends the session (REFRESH_TOKEN_REUSED).',
    resolve: async (_root, _args, ctx) =>
      unwrap(await ctx.auth.reissue(ctx.refreshToken, ctx.client)),
  }),
);

builder.mutationField('logout', (t) =>
  t.withAuth({ restrictedAccessToken: UNDER_EVERY_RESTRICTION }).boolean({
    description: 'Ends sessions at once: their access and refresh tokens are refused from now on.',
    args: { scope: t.arg({ type: LogoutScope, defaultValue: 'CURRENT' }) },
    resolve: async (_root, { scope }, ctx) => {
      await ctx.auth.logOut(ctx.viewer, scope ?? 'CURRENT', ctx.client);
      return true;
    },
  }),
);
