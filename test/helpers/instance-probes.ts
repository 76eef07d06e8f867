import { labelOf } from './graphql-answer.js';
import { type Instance, type Load, send } from './session-load.js';

// What a test reads off a running instance while a fault lasts: its shared-state gauges, the
// refusal of a revoked session, and how many login attempts a rate limit admits.

/** The shared-state gauges an instance reports on /metrics. */
export async function readGauges(
  instance: Instance,
): Promise<{ channelUp: number; cachedSessions: number }> {
  const text = await (await fetch(new URL('/metrics', instance.url))).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return {
    channelUp: read('auth_revocation_channel_up'),
    cachedSessions: read('auth_session_cache_entries'),
  };
}

/** Polls until `check` holds; resolves to the milliseconds it took, or rejects after `limitMs`. */
export async function waitUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True when `instance` refuses the access token as belonging to a revoked session. */
export async function refusesAsRevoked(
  load: Load,
  instance: Instance,
  accessToken: string,
): Promise<boolean> {
  const me = await send(load, instance, 'me', '{ me { email } }', accessToken);
  return labelOf(me) === 'UNAUTHENTICATED/SESSION_REVOKED';
}

/**
 * Wrong-password logins for `email`, turn by turn over `instances`, until one is refused by the
 * rate limit or `maxAttempts` were made: resolves to how many were admitted (answered
 * INVALID_CREDENTIALS) before the refusal, or rejects on any other answer or no refusal.
 */
export async function admittedLogins(
  load: Load,
  instances: readonly Instance[],
  email: string,
  maxAttempts: number,
): Promise<number> {
  const query = `mutation { login(input: { email: "${email}", password: "not the password" }) { accessToken } }`;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const instance = instances[attempt % instances.length];
    if (instance === undefined) throw new Error('no instance');
    const label = labelOf(await send(load, instance, 'login', query, null));
    if (label === 'TOO_MANY_REQUESTS/RATE_LIMITED') return attempt;
    if (label !== 'UNAUTHENTICATED/INVALID_CREDENTIALS') {
      throw new Error(`login ${email} on ${instance.name}: ${label}`);
    }
  }
  throw new Error(`${maxAttempts} logins for ${email} and none refused: no limit`);
}
