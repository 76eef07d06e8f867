import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FaultContext, runUnderLoad } from '../helpers/fault-scenario.js';
import {
  admittedLogins,
  readGauges,
  refusesAsRevoked,
  waitUntil,
} from '../helpers/instance-probes.js';
import { type OwnRedis, REDIS_PROGRAMS, startOwnRedis } from '../helpers/own-redis.js';
import { randomDatabaseName } from '../helpers/postgres.js';
import { describeWithLocalServers } from '../helpers/services.js';
import { type Instance, type Load, send, signUpClient } from '../helpers/session-load.js';
import {
  POSTGRES_PROGRAMS,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../helpers/throwaway-postgres.js';

// Redis itself restarting (stopped, then started again empty, as a Redis without persistence
// is) under two instances and a mix of load. Nothing may fail: Redis holds no truth. What it
// held is lost: the rate-limit counters start over. No limit disappears meanwhile (each
// instance counts alone), and no revoked session is let back in.

const LOGIN_LIMIT = 2;
const SESSION_CACHE_TTL_MS = 5_000;

interface Observed {
  admittedBefore: number;
  admittedDuringOnA: number;
  admittedDuringOnB: number;
  admittedAfter: number;
  /** From each logout's answer until every instance refused the session. */
  refusedAfterMs: number[];
  channelBackMs: number;
  announcedAfterMs: number;
}

describeWithLocalServers(
  [...POSTGRES_PROGRAMS, ...REDIS_PROGRAMS],
  'two instances through a Redis restart',
  () => {
    let postgres: ThrowawayPostgres | undefined;
    let redis: OwnRedis | undefined;

    beforeAll(async () => {
      [postgres, redis] = await Promise.all([startThrowawayPostgres(), startOwnRedis()]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([postgres?.destroy(), redis?.destroy()]);
    });

    it('fails no request, starts the limits over without ever dropping one, and lets no revoked session back in', async () => {
      if (postgres === undefined || redis === undefined) throw new Error('no servers');
      const server = redis;
      const observed: Partial<Observed> = {};
      const report = await runUnderLoad({
        databaseUrl: await postgres.createDatabase(randomDatabaseName('redis')),
        strict: false,
        allowMaskedError: false,
        // Fewer than the database faults' 16: the probes below hash passwords meanwhile.
        rotatingClients: 8,
        env: {
          REDIS_URL: server.url,
          SESSION_CACHE_TTL: `${SESSION_CACHE_TTL_MS / 1000}s`,
          RATE_LIMIT_LOGIN_ACCOUNT: `${LOGIN_LIMIT}/1h`,
        },
        inject: (fault) => restartRedis(fault, server, observed),
      });
      console.info(`[reliability] redis restart: ${JSON.stringify({ ...report, observed })}`);
      expect(report.problems).toEqual([]);
      expect(report.sessionsEnded).toBe(0);
      expect(report.unanswered).toBe(0);
      // Shared before; each instance alone, from zero, while Redis is away; shared and from
      // zero again once it is back, empty.
      expect(observed).toMatchObject({
        admittedBefore: LOGIN_LIMIT,
        admittedDuringOnA: LOGIN_LIMIT,
        admittedDuringOnB: LOGIN_LIMIT,
        admittedAfter: LOGIN_LIMIT,
      });
      for (const ms of observed.refusedAfterMs ?? [Number.NaN]) {
        expect(ms).toBeLessThan(SESSION_CACHE_TTL_MS);
      }
      // Announcements flow again: a logout on B reaches A's cache within a second.
      expect(observed.announcedAfterMs).toBeLessThan(1_000);
    }, 180_000);
  },
);

async function restartRedis(
  { instances, load }: FaultContext,
  redis: OwnRedis,
  observed: Partial<Observed>,
): Promise<void> {
  const [a, b] = instances;
  if (a === undefined || b === undefined) throw new Error('two instances expected');
  const both = [a, b];
  const sessions = await Promise.all(
    ['revoked-at-stop', 'revoked-during', 'revoked-after'].map((name, i) =>
      signUpClient(load, `${name}@example.com`, i),
    ),
  );
  const [atStop, during, after] = sessions;
  if (atStop === undefined || during === undefined || after === undefined) throw new Error('');
  // Both instances hold every one of them in their liveness cache.
  for (const instance of both) {
    for (const client of sessions) await send(load, instance, 'me', ME, client.pair.accessToken);
  }
  observed.admittedBefore = await admittedLogins(load, both, 'limited@example.com', 20);

  // Stopped with a logout on its way, and a second logout once it is down.
  const [, atStopAnswered] = await Promise.all([redis.stop(), logOut(load, b, atStop.pair)]);
  const refusedAtStop = await everywhereRefused(
    load,
    both,
    atStop.pair.accessToken,
    atStopAnswered,
  );
  await waitUntil(async () => (await readGauges(a)).channelUp === 0, 2_000);
  await waitUntil(async () => (await readGauges(b)).channelUp === 0, 2_000);
  const duringAnswered = await logOut(load, b, during.pair);
  observed.refusedAfterMs = [
    refusedAtStop,
    await everywhereRefused(load, both, during.pair.accessToken, duringAnswered),
  ];
  observed.admittedDuringOnA = await admittedLogins(load, [a], 'limited@example.com', 20);
  observed.admittedDuringOnB = await admittedLogins(load, [b], 'limited@example.com', 20);

  const restarted = performance.now();
  await redis.start();
  await waitUntil(async () => {
    const gauges = await Promise.all(both.map(readGauges));
    return gauges.every((gauge) => gauge.channelUp === 1);
  }, 10_000);
  observed.channelBackMs = performance.now() - restarted;
  observed.admittedAfter = await admittedLogins(load, both, 'limited@example.com', 20);

  await send(load, a, 'me', ME, after.pair.accessToken);
  const afterAnswered = await logOut(load, b, after.pair);
  await waitUntil(() => refusesAsRevoked(load, a, after.pair.accessToken), 5_000);
  observed.announcedAfterMs = performance.now() - afterAnswered;
  // The session revoked during the restart stays refused, on both, once Redis is back.
  for (const client of [atStop, during]) {
    for (const instance of both) {
      if (!(await refusesAsRevoked(load, instance, client.pair.accessToken))) {
        load.unexpected.push(`${client.email} served again by ${instance.name}`);
      }
    }
  }
}

const ME = '{ me { email } }';

/** Logs out on `instance`; resolves to performance.now() when the logout answered true. */
async function logOut(load: Load, instance: Instance, pair: { accessToken: string }) {
  const answer = await send(load, instance, 'logout', 'mutation { logout }', pair.accessToken);
  if (answer.kind !== 'data' || answer.data.logout !== true) {
    throw new Error(`logout on ${instance.name}: ${JSON.stringify(answer)}`);
  }
  return performance.now();
}

/** Milliseconds from `since` until every instance refuses the token, polled for 2 TTLs. */
async function everywhereRefused(
  load: Load,
  instances: readonly Instance[],
  accessToken: string,
  since: number,
): Promise<number> {
  for (const instance of instances) {
    await waitUntil(() => refusesAsRevoked(load, instance, accessToken), 2 * SESSION_CACHE_TTL_MS);
  }
  return performance.now() - since;
}
