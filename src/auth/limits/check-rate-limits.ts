import type { RateLimitFailure } from '../../errors.js';
import { clientAddressKey } from '../client/client-address.js';
import type { ClientInfo } from '../client/client-info.js';
import type { AuthDeps } from '../deps.js';
import { recordEvent } from '../events/record-event.js';
import type { RateLimitRules } from './rate-limit-rules.js';

export type RateLimitName = keyof RateLimitRules;

/** One limit to apply: its rule's name, and the subject it counts (an account), or the client. */
export type RateLimitCheck = RateLimitName | readonly [RateLimitName, string];

/**
 * Counts one execution of `operation` against each limit in turn and stops at the first that
 * refuses, recording a RATE_LIMITED event (marked `repeated` after the first refusal of a key
 * since it was last admitted). Called once per field execution, so aliases in one request each
 * count.
 */
export async function checkRateLimits(
  deps: AuthDeps,
  client: ClientInfo,
  operation: string,
  checks: readonly RateLimitCheck[],
  userId: string | null = null,
): Promise<RateLimitFailure | null> {
  const now = deps.clock.now();
  for (const check of checks) {
    const [name, subject] = typeof check === 'string' ? [check, null] : check;
    const rule = deps.settings.rateLimits[name];
    if (rule === null) continue;
    const key = `${name}:${subject ?? clientAddressKey(client.ip)}`;
    const decision = await deps.rateLimits.consume(key, rule, now);
    if (!decision.allowed) {
      // Every refusal reaches the sinks (metrics count them all); the audit log keeps only the
      // first of a burst, so a client hammering a closed door costs no writes.
      await recordEvent(
        deps,
        client,
        { type: 'RATE_LIMITED', userId, detail: `${operation} ${name}` },
        { repeated: decision.repeated },
      );
      return { reason: 'RATE_LIMITED', retryAfter: decision.retryAfterSeconds };
    }
  }
  return null;
}
