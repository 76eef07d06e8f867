import { setTimeout as sleep } from 'node:timers/promises';

// What the silent-network tests share: timed requests to a real instance, clients that rotate
// in a loop, and the numbers the report table quotes.

export const PAIR_FIELDS = 'accessToken refreshToken';

export interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export type GraphQLBody = {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: string; reason?: string } }[];
};

/** One request and how long its answer took; `hung` when none came before the deadline. */
export interface Timed<T> {
  readonly label: string;
  readonly startedAt: number;
  readonly ms: number;
  readonly answer: T | null;
  readonly hung: boolean;
}

/** Far past any bound: a request still unanswered by then is a hang, and is reported as one. */
const HANG_DEADLINE_MS = 15_000;

async function timed<T>(
  label: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<Timed<T>> {
  const startedAt = performance.now();
  try {
    const answer = await run(AbortSignal.timeout(HANG_DEADLINE_MS));
    return { label, startedAt, ms: performance.now() - startedAt, answer, hung: false };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
    return { label, startedAt, ms: performance.now() - startedAt, answer: null, hung: true };
  }
}

/** POSTs one operation, optionally with a bearer token, timing the answer. */
export function timedGraphQL(
  url: string,
  label: string,
  query: string,
  token?: string,
): Promise<Timed<GraphQLBody>> {
  return timed(label, async (signal) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query }),
      signal,
    });
    return (await response.json()) as GraphQLBody;
  });
}

/** GETs `url`, timing the answer; the answer is the HTTP status. */
export function timedStatus(url: string, label: string): Promise<Timed<number>> {
  return timed(label, async (signal) => {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    return response.status;
  });
}

export function codeOf(body: GraphQLBody | null): string | undefined {
  return body?.errors?.[0]?.extensions?.code;
}

export function pairOf(body: GraphQLBody | null, field: string): Pair | null {
  const pair = body?.data?.[field] as Pair | undefined;
  return pair ?? null;
}

/** The claims the lineage checks need, read without verifying (the server did). */
export function claimsOf(token: string): { jti: string; sid: string } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string; sid: string };
}

export function signUpQuery(email: string): string {
  return `mutation { signUp(input: { email: "${email}", password: "correct horse battery" }) { ${PAIR_FIELDS} } }`;
}

export function loginQuery(email: string): string {
  return `mutation { login(input: { email: "${email}", password: "correct horse battery" }) { ${PAIR_FIELDS} } }`;
}

export const REISSUE = `mutation { reissue { ${PAIR_FIELDS} } }`;
export const ME = '{ me { id } }';

/** A client holding the newest pair it was given. */
export interface Client {
  readonly email: string;
  pair: Pair;
}

export async function signUpClient(url: string, email: string): Promise<Client> {
  const signed = await timedGraphQL(url, 'signUp', signUpQuery(email));
  const pair = pairOf(signed.answer, 'signUp');
  if (pair === null) throw new Error(`signUp failed: ${JSON.stringify(signed.answer)}`);
  return { email, pair };
}

/**
 * Reissues and reads `me` in a loop until `stopped()` (at most `maxRounds` rounds), keeping the
 * newest pair and recording every request in `log`.
 */
export async function rotateUntilStopped(
  url: string,
  client: Client,
  stopped: () => boolean,
  log: Timed<GraphQLBody>[],
  maxRounds = 400,
): Promise<void> {
  for (let round = 0; round < maxRounds && !stopped(); round++) {
    const reissued = await timedGraphQL(url, 'reissue', REISSUE, client.pair.refreshToken);
    log.push(reissued);
    client.pair = pairOf(reissued.answer, 'reissue') ?? client.pair;
    log.push(await timedGraphQL(url, 'me', ME, client.pair.accessToken));
    // A client that got an error tries again after a short pause.
    if (reissued.answer?.errors !== undefined) await sleep(50);
  }
}

/** Polls `check` every 50 ms; resolves to the milliseconds it took, or rejects after `limitMs`. */
export async function waitUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await sleep(50);
  }
}

/** The value of an unlabelled gauge in a Prometheus text page, or null when absent. */
export async function readGauge(origin: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith(`${name} `));
  return line === undefined ? null : Number(line.slice(name.length + 1));
}

/**
 * Of the requests in `log`: how many were sent during [from, to), and, among every one that
 * was waiting at some moment in it (those already in flight when the fault began included),
 * the longest wait and how many hung.
 */
export function summarise(
  log: readonly Timed<unknown>[],
  from: number,
  to: number,
): { count: number; longestMs: number; longest: string; hung: number } {
  const sent = log.filter((each) => each.startedAt >= from && each.startedAt < to);
  const waiting = log.filter((each) => each.startedAt < to && each.startedAt + each.ms > from);
  const longest = waiting.reduce<Timed<unknown> | null>(
    (slowest, each) => (slowest === null || each.ms > slowest.ms ? each : slowest),
    null,
  );
  return {
    count: sent.length,
    longestMs: Math.round(longest?.ms ?? 0),
    longest: longest?.label ?? 'none',
    hung: waiting.filter((each) => each.hung).length,
  };
}
