import type { AuditEventPage } from '../auth/events/audit-log.js';
import { AUTH_EVENT_TYPES, type AuditEventRecord } from '../auth/ports/records.js';
import { builder } from './builder.js';
import { inputError, unwrap } from './errors.js';

const AuditEventType = builder.enumType('AuditEventType', { values: AUTH_EVENT_TYPES });

const AuditEvent = builder.objectRef<AuditEventRecord>('AuditEvent').implement({
  description: 'One entry of the audit log. It never holds a password or a token.',
  fields: (t) => ({
    id: t.id({ resolve: (event) => String(event.id) }),
    type: t.field({ type: AuditEventType, resolve: (event) => event.type }),
    occurredAt: t.field({ type: 'DateTime', resolve: (event) => event.at }),
    userId: t.id({
      nullable: true,
      description: 'The account concerned; null for a failed login with an unknown email.',
      resolve: (event) => event.userId,
    }),
    sessionId: t.id({ nullable: true, resolve: (event) => event.sessionId }),
    actorId: t.id({
      nullable: true,
      description: 'Who acted, when not the account itself (an admin).',
      resolve: (event) => event.actorId,
    }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    detail: t.exposeString('detail', {
      nullable: true,
      description:
        'LOGIN_FAILED: UNKNOWN_EMAIL or WRONG_PASSWORD. LOGOUT: the scope. REISSUE: ROTATED or ' +
        'GRACE. SESSION_REVOKED: USER, ADMIN, or OPERATOR (the command line). ' +
        'PASSWORD_CHANGE_FAILED: WRONG_PASSWORD. RATE_LIMITED: the operation and the limit. ' +
        'USER_CREATED and ROLES_CHANGED (made on the command line): OPERATOR and the roles, ' +
        'comma-separated, such as "OPERATOR USER,ADMIN".',
    }),
    revokedSessions: t.exposeInt('revokedSessions', {
      description: 'How many sessions the event ended.',
    }),
  }),
});

const AuditEventEdge = builder.objectRef<AuditEventRecord>('AuditEventEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (event) => encodeCursor(event.id) }),
    node: t.field({ type: AuditEvent, resolve: (event) => event }),
  }),
});

const PageInfo = builder.objectRef<AuditEventPage>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.string({
      nullable: true,
      resolve: (page) => {
        const last = page.events.at(-1);
        return last === undefined ? null : encodeCursor(last.id);
      },
    }),
  }),
});

const AuditEventConnection = builder.objectRef<AuditEventPage>('AuditEventConnection').implement({
  description: 'A page of audit events, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [AuditEventEdge], resolve: (page) => page.events }),
    nodes: t.field({ type: [AuditEvent], resolve: (page) => page.events }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page }),
  }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  description: 'All given conditions must hold.',
  fields: (t) => ({
    userId: t.id(),
    types: t.field({ type: [AuditEventType], description: 'Any of these types.' }),
    since: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    until: t.field({ type: 'DateTime', description: 'Exclusive.' }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.withAuth({ role: 'ADMIN' }).field({
    type: AuditEventConnection,
    description:
      'The audit log, newest first. Page with `first` (1 to 100) and `after: pageInfo.endCursor`. ' +
      'Requires the ADMIN role.',
    args: {
      filter: t.arg({ type: AuditEventFilter }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: async (_root, { filter, first, after }, ctx) => {
      const beforeId = after === null || after === undefined ? undefined : decodeCursor(after);
      const page = await ctx.auth.listAuditEvents(
        {
          userId:
            filter?.userId === null || filter?.userId === undefined
              ? undefined
              : String(filter.userId),
          types: filter?.types ?? undefined,
          since: filter?.since?.getTime(),
          until: filter?.until?.getTime(),
        },
        first ?? 50,
        beforeId,
      );
      return unwrap(page);
    },
  }),
);

const CURSOR_PREFIX = 'audit:';

function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!/^[1-9]\d{0,14}$/.test(id)) throw inputError({ reason: 'INVALID_CURSOR', field: 'after' });
  return Number(id);
}
