import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { MailKind, MailPayload, NewOutboxMail } from '../ports/link-records.js';

/** A new outbox row: due at once, with a fresh id (its Message-ID). */
export function newMail(
  deps: { readonly clock: Clock },
  kind: MailKind,
  recipient: string,
  userId: string | null,
  payload: MailPayload | null,
  linkExpiresAt: number | null = null,
): NewOutboxMail {
  return {
    id: randomUUID(),
    kind,
    recipient,
    userId,
    payload,
    linkExpiresAt,
    createdAt: deps.clock.now(),
  };
}
