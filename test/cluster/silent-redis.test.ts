import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  requireTestDatabaseUrl,
  runOnServer,
  urlForDatabase,
} from '../helpers/postgres.js';
import {
  connectTestRedis,
  deleteKeys,
  testRedisTarget,
  testRedisUrl,
  testRedisUrlThrough,
  uniquePrefix,
} from '../helpers/redis.js';
import { type RunningService, startListening, stop } from '../helpers/service-process.js';
import { describeWithServices } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  type Client,
  codeOf,
  type GraphQLBody,
  ME,
  pairOf,
  REISSUE,
  readGauge,
  rotateUntilStopped,
  signUpClient,
  summarise,
  type Timed,
  timedGraphQL,
  timedStatus,
  waitUntil,
} from './silent-network-harness.js';

// Two real instances on one PostgreSQL; A reaches Redis through a proxy that goes silent, B
// directly. While A's Redis is silent every request on A still succeeds within
// REDIS_COMMAND_TIMEOUT + 1 s (rate limits fall back to the instance, liveness to the store),
// a logout on B is refused by A, and once Redis answers again A shares state again by itself.

const COMMAND_TIMEOUT_MS = 500;
const BOUND_MS = COMMAND_TIMEOUT_MS + 1000;
const SILENCE_MS = 4000;
const CLIENTS = 8;
const ROTATING = 4;
const CHANNEL_UP = 'auth_revocation_channel_up';

describeWithServices(['postgres', 'redis'], 'an instance whose Redis goes silent', () => {
  // Skipped, this body still runs to collect the tests: the URLs are read in beforeAll.
  const database = randomDatabaseName('silent_redis');
  const keyPrefix = uniquePrefix();
  let server: string | undefined;
  let proxy: TcpProxy;
  let a: RunningService;
  let b: RunningService;
  let admin: Redis;

  beforeAll(async () => {
    server = requireTestDatabaseUrl();
    await runOnServer(server, `create database ${quoteIdentifier(database)}`);
    proxy = await startTcpProxy(testRedisTarget());
    admin = await connectTestRedis('silent-redis-admin');
    const env = {
      DATABASE_URL: urlForDatabase(server, database),
      ...TEST_MFA_KEYS,
      REDIS_KEY_PREFIX: keyPrefix,
      REDIS_COMMAND_TIMEOUT: `${COMMAND_TIMEOUT_MS}ms`,
      AUTH_ISSUER: 'http://auth.silent-redis.test',
      AUTH_AUDIENCE: 'http://auth.silent-redis.test',
      // Counted on every attempt, so that requests meet the silent Redis; never reached.
      RATE_LIMIT_LOGIN_IP: '10000/1m',
      RATE_LIMIT_LOGIN_ACCOUNT: '10000/1m',
      RATE_LIMIT_SIGNUP_IP: '10000/1m',
      RATE_LIMIT_REISSUE_IP: '10000/1m',
    };
    // One after the other: the first migrates the new database.
    a = await startListening({ ...env, REDIS_URL: testRedisUrlThrough(proxy.port) });
    b = await startListening({ ...env, REDIS_URL: testRedisUrl() });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b].map((service) => (service ? stop(service.child) : null)));
    await proxy?.close();
    if (admin) {
      await deleteKeys(admin, keyPrefix);
      admin.disconnect();
    }
    if (server !== undefined) {
      await runOnServer(
        server,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    }
  });

  const originOf = (service: RunningService) => new URL(service.url).origin;
  const channelUp = (service: RunningService) => readGauge(originOf(service), CHANNEL_UP);

  function logout(service: RunningService, client: Client): Promise<Timed<GraphQLBody>> {
    return timedGraphQL(service.url, 'logout', 'mutation { logout }', client.pair.accessToken);
  }

  /** The reason `service` gives for refusing `client`'s access token, or null for none. */
  async function refusalOn(service: RunningService, client: Client): Promise<string | null> {
    const answer = await timedGraphQL(service.url, 'me', ME, client.pair.accessToken);
    expect(answer.ms).toBeLessThan(BOUND_MS);
    return answer.answer?.errors?.[0]?.extensions?.reason ?? null;
  }

  const refusalOnA = (client: Client) => refusalOn(a, client);

  /** The messages `service` has logged so far. */
  function logged(service: RunningService): string[] {
    return service
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  }

  it('answers every request within the bound while silent, and shares state again after', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await signUpClient(a.url, `silent-redis-${i}@example.com`));
    }
    const [revokedOnB, revokedAfter, revokedOnA, spare] = clients.slice(ROTATING) as [
      Client,
      Client,
      Client,
      Client,
    ];
    await waitUntil(async () => (await channelUp(a)) === 1 && (await channelUp(b)) === 1, 5000);
    for (const client of clients) expect(await refusalOnA(client)).toBeNull(); // now cached on A
    expect(await refusalOn(b, revokedOnA)).toBeNull(); // and this one on B

    const log: Timed<GraphQLBody>[] = [];
    let stopping = false;
    const loops = clients
      .slice(0, ROTATING)
      .map((client) => rotateUntilStopped(a.url, client, () => stopping, log));
    await sleep(300);

    proxy.blackhole();
    const silentFrom = performance.now();
    // No login or sign-up here: their password hashing, not Redis, would set the wait. Few at
    // once, too: on a loaded machine a queue of requests adds its own wait.
    const burst = await Promise.all([
      ...clients
        .slice(ROTATING)
        .map((client) => timedGraphQL(a.url, 'me', ME, client.pair.accessToken)),
      timedGraphQL(a.url, 'reissue', REISSUE, spare.pair.refreshToken),
      logout(a, revokedOnA),
    ]);
    const ready = await timedStatus(`${originOf(a)}/ready`, 'ready');
    expect(burst.map((each) => each.hung)).not.toContain(true);
    expect(burst.map((each) => codeOf(each.answer))).toEqual(
      Array(CLIENTS - ROTATING + 2).fill(undefined),
    );
    spare.pair = pairOf(burst.at(-2)?.answer ?? null, 'reissue') ?? spare.pair;
    // The database answers: the instance is ready, and says its channel is down.
    expect(ready.answer).toBe(200);
    await waitUntil(async () => (await channelUp(a)) === 0, 3000);
    const deafAfterMs = performance.now() - silentFrom;

    // A's logout cannot be announced: B still trusts its cached entry, the documented window
    // (SESSION_CACHE_TTL at most), until A can announce it.
    expect(await refusalOn(b, revokedOnA)).toBeNull();
    // A logout on B cannot be announced to A; A, deaf, reads the store and refuses the session.
    expect(codeOf((await logout(b, revokedOnB)).answer)).toBeUndefined();
    expect(await refusalOnA(revokedOnB)).toBe('SESSION_REVOKED');

    await sleep(Math.max(0, silentFrom + SILENCE_MS - performance.now()));
    const restoredAt = performance.now();
    proxy.restore();
    const recoveredInMs = await waitUntil(async () => (await channelUp(a)) === 1, 10_000);
    stopping = true;
    await Promise.all(loops);

    const during = summarise([...log, ...burst, ready], silentFrom, restoredAt);
    expect(during.hung).toBe(0);
    expect(during.longestMs).toBeLessThanOrEqual(BOUND_MS);
    expect(log.map((each) => codeOf(each.answer)).filter((code) => code !== undefined)).toEqual([]);

    // The rate limits fell back to the instance, and count in Redis again (the store logs both).
    await waitUntil(async () => {
      const reissued = await timedGraphQL(a.url, 'reissue', REISSUE, spare.pair.refreshToken);
      spare.pair = pairOf(reissued.answer, 'reissue') ?? spare.pair;
      return logged(a).includes('redis rate limits restored');
    }, 5000);
    const sharedAgainAfterMs = performance.now() - restoredAt;
    expect(logged(a)).toContain(
      'redis rate limits unavailable; counting per instance until it is back',
    );

    // A's logout, kept while Redis was silent, is announced once it answers: B drops its cache.
    await waitUntil(async () => (await refusalOn(b, revokedOnA)) === 'SESSION_REVOKED', 3000);
    // Announcements reach A again: a logout on B is refused from A's cache within a second.
    expect(await refusalOnA(revokedAfter)).toBeNull();
    const revokedAt = performance.now();
    expect(codeOf((await logout(b, revokedAfter)).answer)).toBeUndefined();
    await waitUntil(async () => (await refusalOnA(revokedAfter)) === 'SESSION_REVOKED', 3000);
    expect(performance.now() - revokedAt).toBeLessThan(1000 + 500);
    // No session revoked during the silence came back.
    expect(await refusalOnA(revokedOnB)).toBe('SESSION_REVOKED');
    expect(await refusalOnA(revokedOnA)).toBe('SESSION_REVOKED');

    // Every client not logged out still holds a working pair.
    const kept = [...clients.slice(0, ROTATING), spare];
    for (const client of kept) {
      const answer = await timedGraphQL(a.url, 'reissue', REISSUE, client.pair.refreshToken);
      expect(codeOf(answer.answer)).toBeUndefined();
      client.pair = pairOf(answer.answer, 'reissue') ?? client.pair;
      expect(await refusalOnA(client)).toBeNull();
    }
    console.info(
      `[silent Redis] ${Math.round(restoredAt - silentFrom)} ms of silence, ${during.count} ` +
        `requests during it, longest wait ${during.longestMs} ms (${during.longest}; bound ${BOUND_MS} ms), channel ` +
        `reported down ${Math.round(deafAfterMs)} ms into it and up ${Math.round(recoveredInMs)} ms after, ` +
        `rate limits seen shared again ${Math.round(sharedAgainAfterMs)} ms after, ` +
        `${kept.length} sessions kept and 3 revoked checked, 0 lost or back`,
    );
  }, 60_000);
});
