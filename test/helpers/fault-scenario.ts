import { logOutInTurn, signUpInLoop } from './account-load.js';
import { TEST_MFA_KEYS } from './config.js';
import { isFailure, labelOf } from './graphql-answer.js';
import { honouredProblems, lineageProblems, readLineages } from './lineage-accounting.js';
import { requestsBetween, slowestRequest } from './load-report.js';
import { type RunningService, startListening, stop } from './service-process.js';
import {
  createLoad,
  type Instance,
  instanceAt,
  type Load,
  pickInstance,
  rotateInLoop,
  type SessionClient,
  send,
  signUpClient,
} from './session-load.js';

// Two real instances on one PostgreSQL database under a mix of load (rotating clients that
// also call `me`, sign-ups, logouts), a fault the test injects in the middle, and then the
// accounting: every answer was one the fault explains, no wait passed its bound, and every
// session is as its client last saw it, checked from the database and over HTTP.

/** How fast a request the fault failed must fail: the pool's 5 s connection timeout + 1 s. */
export const FAILURE_BOUND_MS = 6_000;
/**
 * Past this a request counts as hanging. Longer than the failure bound: a sign-up that
 * succeeds still hashes a password, which takes seconds on a machine as busy as a shared CI's.
 */
const HANG_BOUND_MS = 20_000;
const ROTATING_CLIENTS = 16;
const LOGGED_OUT_CLIENTS = 8;
const LOAD_BEFORE_FAULT_MS = 1_000;
const LOAD_AFTER_FAULT_MS = 2_000;
const ME = '{ me { email } }';

export interface FaultScenario {
  readonly databaseUrl: string;
  /** REFRESH_REUSE_INTERVAL=0: the retry of a rotation that committed unseen is reuse. */
  readonly strict: boolean;
  /** Clients rotating all along; 16 by default. */
  readonly rotatingClients?: number;
  /** More environment for both instances (REDIS_URL, limits). */
  readonly env?: Readonly<Record<string, string>>;
  /** False where the fault must not fail any request (a Redis restart); true by default. */
  readonly allowMaskedError?: boolean;
  /** The fault, injected once the load runs; may mark instances dead. */
  inject(fault: FaultContext): Promise<void>;
}

export interface FaultContext {
  readonly instances: readonly Instance[];
  readonly services: readonly RunningService[];
  /** The running load, for the fault's own requests (they are counted with it). */
  readonly load: Load;
}

export interface FaultReport {
  readonly requests: number;
  /** Requests sent while the fault lasted, by operation and answer. */
  readonly duringFault: Record<string, number>;
  readonly faultMs: number;
  /** The slowest request of all, and the slowest of those the fault failed. */
  readonly slowest: { readonly ms: number; readonly what: string };
  readonly slowestFailure: { readonly ms: number; readonly what: string };
  readonly sessionsChecked: number;
  /** Sessions that ended, each after a request that got no answer (allowed in strict mode). */
  readonly sessionsEnded: number;
  /** Rotating clients of which a reissue got no answer. */
  readonly clientsWithoutAnswer: number;
  /** Requests of any kind that got no HTTP answer. */
  readonly unanswered: number;
  readonly signUps: number;
  /** Sign-ups that answered an error, yet had committed (their retry found the email taken). */
  readonly committedUnseen: readonly string[];
  /** Sign-ups and logouts carried out with their answer lost (found out by the retry). */
  readonly answersLost: number;
  readonly problems: readonly string[];
}

export async function runUnderLoad(scenario: FaultScenario): Promise<FaultReport> {
  const env = {
    DATABASE_URL: scenario.databaseUrl,
    ...TEST_MFA_KEYS,
    AUTH_ISSUER: 'http://auth.faults.test',
    AUTH_AUDIENCE: 'http://auth.faults.test',
    REFRESH_REUSE_INTERVAL: scenario.strict ? '0' : '10s',
    RATE_LIMIT_LOGIN_IP: 'off',
    RATE_LIMIT_SIGNUP_IP: 'off',
    RATE_LIMIT_REISSUE_IP: 'off',
    ...scenario.env,
  };
  const services = await Promise.all([startListening(env), startListening(env)]);
  try {
    return await runAgainst(scenario, services);
  } finally {
    await Promise.all(services.filter(isRunning).map((service) => stop(service.child)));
  }
}

async function runAgainst(
  scenario: FaultScenario,
  services: readonly RunningService[],
): Promise<FaultReport> {
  const instances = services.map((service, i) =>
    instanceAt(String.fromCharCode(65 + i), service.url),
  );
  const load = createLoad({
    instances,
    deadline: performance.now() + 60_000,
    requestTimeoutMs: HANG_BOUND_MS,
    allowMaskedError: scenario.allowMaskedError ?? true,
  });
  const clients = await signUpAll(load, 'rotating', scenario.rotatingClients ?? ROTATING_CLIENTS);
  const loggedOut = await signUpAll(load, 'leaving', LOGGED_OUT_CLIENTS);

  const rotations = Promise.all(clients.map((client) => rotateInLoop(load, client, 5_000)));
  const joining = signUpInLoop(load, 'joining', 24);
  // Spread over the half second before the fault and the second after it.
  const leaving = pause(LOAD_BEFORE_FAULT_MS / 2).then(() => logOutInTurn(load, loggedOut, 150));
  await pause(LOAD_BEFORE_FAULT_MS);
  const faultStart = performance.now();
  await scenario.inject({ instances, services, load });
  const faultEnd = performance.now();
  load.deadline = faultEnd + LOAD_AFTER_FAULT_MS;
  const [, signUps] = await Promise.all([rotations, joining, leaving]);
  const loadProblems = [...load.unexpected.slice(0, 20), ...deathsOf(instances, services)];

  const everyone = [...clients, ...loggedOut];
  const rows = await readLineages(
    scenario.databaseUrl,
    everyone.map((client) => client.sessionId),
  );
  const problems = [
    ...loadProblems,
    ...everyone.flatMap((client) =>
      lineageProblems(client, rows.get(client.sessionId), scenario.strict),
    ),
    ...loggedOut
      .filter((client) => client.logout !== 'confirmed' && client.logout !== 'answer-lost')
      .map((client) => `${client.email}: logout ${client.logout}`),
  ];
  for (const client of everyone) problems.push(...(await honouredProblems(load, client)));
  for (const account of signUps.created) {
    const me = await send(load, pickInstance(load, 0), 'me', ME, account.pair.accessToken);
    if (me.kind !== 'data') problems.push(`${account.email}: me after sign-up ${labelOf(me)}`);
  }
  return {
    requests: load.sent.length,
    duringFault: Object.fromEntries(requestsBetween(load, faultStart, faultEnd)),
    faultMs: faultEnd - faultStart,
    slowest: slowestRequest(load),
    slowestFailure: slowestRequest(load, isFailure),
    sessionsChecked: everyone.length,
    sessionsEnded: clients.filter((client) => client.ended !== null).length,
    clientsWithoutAnswer: clients.filter((client) => client.unanswered > 0).length,
    unanswered: load.sent.filter((request) => request.answer.kind === 'none').length,
    signUps: signUps.created.length,
    committedUnseen: signUps.committedUnseen,
    answersLost:
      signUps.answerLost.length + loggedOut.filter((c) => c.logout === 'answer-lost').length,
    problems,
  };
}

/** Accounts made before the fault, a few at a time (each costs an Argon2 hash). */
async function signUpAll(load: Load, prefix: string, count: number): Promise<SessionClient[]> {
  const clients: SessionClient[] = [];
  for (let n = 0; n < count; n += 4) {
    const batch = Array.from({ length: Math.min(4, count - n) }, (_, i) =>
      signUpClient(load, `${prefix}${n + i}@example.com`, n + i),
    );
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/** An instance the fault did not kill, yet is gone: its exit and its last words. */
function deathsOf(instances: readonly Instance[], services: readonly RunningService[]): string[] {
  return services.flatMap((service, i) => {
    if (isRunning(service) || instances[i]?.alive === false) return [];
    const { exitCode, signalCode } = service.child;
    const last = `${service.stdout()}${service.stderr()}`.trim().split('\n').slice(-30);
    return [
      `instance ${instances[i]?.name} exited (${exitCode ?? signalCode}): ${last.join(' | ')}`,
    ];
  });
}

function isRunning(service: RunningService): boolean {
  return service.child.exitCode === null && service.child.signalCode === null;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
