import {
  type Answer,
  isFailure,
  isMaskedError,
  labelOf,
  sendOperation,
  type TimedAnswer,
} from './graphql-answer.js';

// Concurrent clients against real service processes while a test injects a fault: each loop is
// bounded by a count and by a deadline, records every request it sent, and collects what no
// client should ever see. What a loop may see depends on the fault: the masked error while the
// database is away, no answer from an instance that was killed, and nothing else.

export const PASSWORD = 'correct horse battery';
const PAIR = 'accessToken refreshToken';
/** How long a client waits after a failed request before its next one. */
const PAUSE_AFTER_FAILURE_MS = 25;

export interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** A service process behind the test's "load balancer"; a test that kills one clears `alive`. */
export interface Instance {
  readonly name: string;
  readonly url: string;
  alive: boolean;
  /** Requests sent to it and not answered yet. */
  inFlight: number;
}

export function instanceAt(name: string, url: string): Instance {
  return { name, url, alive: true, inFlight: 0 };
}

export interface SentRequest extends TimedAnswer {
  readonly operation: string;
  readonly instance: string;
}

export interface Load {
  readonly instances: readonly Instance[];
  /** performance.now() after which no loop sends another request; a test may move it. */
  deadline: number;
  /** How long a request may wait before it counts as hanging (an unexpected answer). */
  readonly requestTimeoutMs: number;
  /** Whether the masked INTERNAL_SERVER_ERROR is an acceptable answer (a store fault). */
  readonly allowMaskedError: boolean;
  readonly sent: SentRequest[];
  /** Answers no client should have had, described. */
  readonly unexpected: string[];
}

export function createLoad(options: Omit<Load, 'sent' | 'unexpected'>): Load {
  return { ...options, sent: [], unexpected: [] };
}

/**
 * `confirmed`: a logout answered true. The retry of a failed logout that finds the session
 * revoked: `answer-lost` when an attempt got no answer, `committed-unseen` when every failure
 * was an error answer (an error for work that was done). `unconfirmed`: nothing settled.
 */
export type LogoutOutcome = 'confirmed' | 'answer-lost' | 'committed-unseen' | 'unconfirmed';

export interface SessionClient {
  readonly email: string;
  readonly sessionId: string;
  pair: Pair;
  /** Every refresh jti this client received, in order; the first came with sign-up. */
  readonly refreshJtis: string[];
  /** Requests that got no HTTP answer: the only way a rotation may commit unseen. */
  unanswered: number;
  /** The reason a reissue was refused with, which ended this client's session. */
  ended: string | null;
  /** How its logout ended, if it was logged out: see account-load.ts. */
  logout: LogoutOutcome | null;
}

/** Sends one operation to `instance`, records it, and reports an answer the fault cannot explain. */
export async function send(
  load: Load,
  instance: Instance,
  operation: string,
  query: string,
  token: string | null,
): Promise<Answer> {
  instance.inFlight++;
  const timed = await sendOperation(instance.url, query, token, load.requestTimeoutMs);
  instance.inFlight--;
  load.sent.push({ ...timed, operation, instance: instance.name });
  const { answer } = timed;
  const where = `${operation} on ${instance.name}`;
  if (answer.kind === 'none' && (instance.alive || answer.cause === 'TIMEOUT')) {
    load.unexpected.push(`${where}: no answer (${answer.cause}) after ${Math.round(timed.ms)} ms`);
  } else if (answer.kind === 'error' && isMaskedError(answer) && !load.allowMaskedError) {
    load.unexpected.push(`${where}: the masked error without a store fault`);
  } else if (answer.kind === 'error' && answer.status >= 500 && !isMaskedError(answer)) {
    load.unexpected.push(`${where}: HTTP ${answer.status} ${labelOf(answer)}`);
  }
  return answer;
}

/** The i-th live instance, round robin: what a load balancer that saw a kill does. */
export function pickInstance(load: Load, turn: number): Instance {
  const live = load.instances.filter((instance) => instance.alive);
  const instance = live[turn % live.length];
  if (instance === undefined) throw new Error('no live instance left');
  return instance;
}

/** A client that signed up before the fault; the sign-up must succeed. */
export async function signUpClient(load: Load, email: string, turn = 0): Promise<SessionClient> {
  const answer = await send(load, pickInstance(load, turn), 'signUp', signUpQuery(email), null);
  if (answer.kind !== 'data') throw new Error(`signUp ${email}: ${JSON.stringify(answer)}`);
  const pair = answer.data.signUp as Pair;
  const claims = claimsOf(pair.refreshToken);
  return {
    email,
    sessionId: claims.sid,
    pair,
    refreshJtis: [claims.jti],
    unanswered: 0,
    ended: null,
    logout: null,
  };
}

/**
 * Reissues with the newest refresh token, then calls `me` with the new access token on the
 * next instance, until the deadline or `maxTurns`. A failed reissue is retried with the same
 * token; a refusal ends the client (the test decides whether that was allowed).
 */
export async function rotateInLoop(
  load: Load,
  client: SessionClient,
  maxTurns: number,
): Promise<void> {
  for (let turn = 0; turn < maxTurns && performance.now() < load.deadline; turn++) {
    const reissue = await send(
      load,
      pickInstance(load, turn),
      'reissue',
      `mutation { reissue { ${PAIR} } }`,
      client.pair.refreshToken,
    );
    if (reissue.kind === 'data') {
      const pair = reissue.data.reissue as Pair;
      const { jti } = claimsOf(pair.refreshToken);
      if (jti !== client.refreshJtis.at(-1)) client.refreshJtis.push(jti);
      client.pair = pair;
      const me = await send(
        load,
        pickInstance(load, turn + 1),
        'me',
        '{ me { email } }',
        pair.accessToken,
      );
      if (me.kind === 'error' && !isMaskedError(me)) {
        load.unexpected.push(`me of ${client.email} with its newest token: ${labelOf(me)}`);
      }
      continue;
    }
    if (reissue.kind === 'none') client.unanswered++;
    if (reissue.kind === 'error' && !isMaskedError(reissue)) {
      client.ended = labelOf(reissue);
      return;
    }
    await pause(PAUSE_AFTER_FAILURE_MS);
  }
}

export interface Settled {
  /** The first answer that is not a failure, or the last failure if none came in time. */
  readonly answer: Answer;
  /** Earlier attempts that failed with an error answer (the masked error). */
  readonly failedWithAnswer: number;
  /** Earlier attempts that got no answer: any of them may have been carried out. */
  readonly unanswered: number;
}

/** Sends until the answer is neither the masked error nor missing (bounded), turn by turn. */
export async function sendUntilSettled(
  load: Load,
  operation: string,
  query: string,
  token: string | null,
): Promise<Settled> {
  let failedWithAnswer = 0;
  let unanswered = 0;
  for (let turn = 0; ; turn++) {
    const answer = await send(load, pickInstance(load, turn), operation, query, token);
    const failed = isFailure(answer);
    const late = turn >= 200 || performance.now() > load.deadline + 10_000;
    if (!failed || late) return { answer, failedWithAnswer, unanswered };
    if (answer.kind === 'none') unanswered++;
    else failedWithAnswer++;
    await pause(PAUSE_AFTER_FAILURE_MS);
  }
}

export function signUpQuery(email: string): string {
  return `mutation { signUp(input: { email: "${email}", password: "${PASSWORD}" }) { ${PAIR} } }`;
}

export function claimsOf(token: string): { sid: string; jti: string } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string; jti: string };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
