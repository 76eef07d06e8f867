import { AUDIT_PAGE_SIZE_MAX, listAuditEvents } from '../../auth/events/audit-log.js';
import { findUserByEmailOrId } from '../../auth/operator-actions.js';
import { AUTH_EVENT_TYPES, type AuditEventRecord } from '../../auth/ports/records.js';
import { type CliCommand, EXIT, parseCommandArgs, parseNameList, UsageError } from '../command.js';

const tailAudit: CliCommand = {
  name: 'audit:tail',
  usage: `[-n <1-${AUDIT_PAGE_SIZE_MAX}>] [--user <email or id>] [--type <TYPE,...>] [--json]`,
  summary: 'Print the latest audit events, oldest first (default 20).',
  prepare(args) {
    const { values } = parseCommandArgs(
      args,
      {
        lines: { type: 'string', short: 'n' },
        user: { type: 'string' },
        type: { type: 'string' },
        json: { type: 'boolean' },
      },
      0,
    );
    const count = parseCount(values.lines);
    const types =
      values.type === undefined
        ? undefined
        : parseNameList(values.type, AUTH_EVENT_TYPES, 'event type');
    const who = values.user?.trim();
    return async ({ io, openStore }) => {
      const store = await openStore();
      let userId: string | undefined;
      if (who) {
        const user = await findUserByEmailOrId({ store }, who);
        // An id may name a deleted user whose events remain; an unknown email cannot match.
        if (user === null && who.includes('@')) {
          io.err(`no user ${who}`);
          return EXIT.failed;
        }
        userId = user?.id ?? who;
      }
      const page = await listAuditEvents(store.auditEvents, { userId, types }, count);
      if (!page.ok) throw new Error(`audit page refused: ${page.failure.reason}`);
      for (const event of [...page.value.events].reverse()) {
        io.out(values.json ? JSON.stringify(event) : describeEvent(event));
      }
      return EXIT.ok;
    };
  },
};

function parseCount(raw: string | undefined): number {
  if (raw === undefined) return 20;
  const count = /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  if (count < 1 || count > AUDIT_PAGE_SIZE_MAX) {
    throw new UsageError(`-n expects a number from 1 to ${AUDIT_PAGE_SIZE_MAX}, got "${raw}"`);
  }
  return count;
}

function describeEvent(event: AuditEventRecord): string {
  const fields = [
    new Date(event.at).toISOString(),
    event.type.padEnd(22),
    `user=${event.userId ?? '-'}`,
    `session=${event.sessionId ?? '-'}`,
    `ip=${event.ip ?? '-'}`,
  ];
  if (event.actorId !== null) fields.push(`actor=${event.actorId}`);
  if (event.revokedSessions > 0) fields.push(`revoked=${event.revokedSessions}`);
  if (event.detail !== null) fields.push(`detail=${JSON.stringify(event.detail)}`);
  return fields.join('  ');
}

export const auditCommands: readonly CliCommand[] = [tailAudit];
