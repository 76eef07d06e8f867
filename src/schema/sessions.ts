import type { SessionRecord } from '../auth/ports/records.js';
import { SessionRestriction } from './auth-payload.js';
import { builder } from './builder.js';

const Session = builder.objectRef<SessionRecord>('Session').implement({
  description:
    'A login: one refresh-token lineage on one device. Ids and times only; tokens are never shown.',
  fields: (t) => ({
    id: t.exposeID('id'),
    current: t.boolean({
      description: 'True for the session of the access token sent with this request.',
      resolve: (session, _args, ctx) => session.id === ctx.viewer?.sessionId,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (session) => session.createdAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      description:
        'The last login, reissue or password change on this session (not every API request).',
      resolve: (session) => session.lastUsedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description:
        'When the session ends unless reissued first: its idle expiry, capped by its absolute one.',
      resolve: (session) => Math.min(session.idleExpiresAt, session.expiresAt),
    }),
    userAgent: t.exposeString('userAgent', {
      nullable: true,
      description: 'The User-Agent of the login, as sent by the client.',
    }),
    ip: t.exposeString('ip', {
      nullable: true,
      description: 'The client address of the login (see TRUST_PROXY).',
    }),
    assuranceLevel: t.int({
      description: '1 after a password; 2 once the session proved a second factor.',
      resolve: (session) => session.assuranceLevel,
    }),
    restrictions: t.field({
      type: [SessionRestriction],
      description: 'What the session may not do yet (see AuthPayload.restrictions).',
      resolve: (session) => [...session.restrictions],
    }),
  }),
});

builder.queryField('mySessions', (t) =>
  t.withAuth({ accessToken: true }).field({
    type: [Session],
    description: 'The caller’s live sessions, most recently used first.',
    resolve: (_root, _args, ctx) => ctx.auth.listSessions(ctx.viewer),
  }),
);

builder.mutationField('revokeSession', (t) =>
  t.withAuth({ accessToken: true }).boolean({
    description:
      'Ends one of the caller’s own sessions. False when the id is unknown, already ended, or ' +
      'not the caller’s: the three look the same.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.auth.revokeSession(ctx.viewer, String(id), ctx.client),
  }),
);

builder.mutationField('revokeUserSessions', (t) =>
  t.withAuth({ role: 'ADMIN' }).int({
    description:
      'Ends every live session of a user; returns how many were ended. Requires the ADMIN role.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_root, { userId }, ctx) =>
      ctx.auth.revokeUserSessions(ctx.viewer, String(userId), ctx.client),
  }),
);
