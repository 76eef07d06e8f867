import type { SessionEndedEvent } from '../auth/live/session-ended-streams.js';
import type { SESSION_END_REASONS } from '../auth/sessions/session-end-reason.js';
import { builder } from './builder.js';
import { DateTime } from './date-time.js';
import { authenticationError, subscriptionLimitError } from './errors.js';

type SessionEnd = Extract<SessionEndedEvent, { kind: 'ended' }>;

const SessionEndReason = builder.enumType('SessionEndReason', {
  description: 'Why a session ended before its time.',
  values: {
    LOGOUT: { description: '`logout`, in any scope, from any session of the user.' },
    REVOKED: {
      description:
        '`revokeSession`, `revokeUserSessions` (an admin), the command line, or an email ' +
        'change undone from the old address.',
    },
    PASSWORD_CHANGED: { description: 'A password change or reset.' },
    REFRESH_TOKEN_REUSED: {
      description: 'A retired refresh token of the session was presented again.',
    },
    ACCOUNT_DISABLED: { description: 'The account was disabled.' },
    ACCOUNT_DELETED: { description: 'The account was deleted.' },
  } satisfies Record<(typeof SESSION_END_REASONS)[number], { description: string }>,
});

const SessionEnded = builder.objectRef<SessionEnd>('SessionEnded').implement({
  description: 'The end of the subscriber’s own session.',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    reason: t.field({ type: SessionEndReason, resolve: (end) => end.reason }),
    endedAt: t.field({ type: DateTime, resolve: (end) => end.endedAt }),
  }),
});

builder.subscriptionField('sessionEnded', (t) =>
  t.withAuth({ accessToken: true }).field({
    type: SessionEnded,
    description:
      'Emits once, when the session of the access token sent ends (for any reason), then ' +
      'completes. It never outlives that token: at its expiry the stream ends with ' +
      'UNAUTHENTICATED / TOKEN_EXPIRED, and the client reopens it with a fresh access token.',
    subscribe: (_root, _args, ctx) => {
      const opened = ctx.auth.watchSessionEnd(ctx.viewer, ctx.client);
      if (!opened.ok) throw subscriptionLimitError();
      return opened.value;
    },
    resolve: (event: SessionEndedEvent) => {
      if (event.kind === 'expired') throw authenticationError('TOKEN_EXPIRED');
      return event;
    },
  }),
);
