import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  requireTestDatabaseUrl,
  runOnServer,
  urlForDatabase,
} from '../helpers/postgres.js';
import { connectTestRedis, deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { type RunningService, startListening, stop } from '../helpers/service-process.js';
import { describeWithServices } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  type Client,
  claimsOf,
  codeOf,
  type GraphQLBody,
  loginQuery,
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

// A real instance whose PostgreSQL network goes silent: no reset, no answer, while clients keep
// rotating and other requests arrive. Every request must be answered within
// DATABASE_QUERY_TIMEOUT + 1 s, cached authentications keep being answered, /ready says 503,
// and once the network answers again the pool recovers by itself and no session is lost.

const QUERY_TIMEOUT_MS = 1000;
const BOUND_MS = QUERY_TIMEOUT_MS + 1000;
/** Long enough for every request of the burst, and many of the loops, to meet the silence. */
const SILENCE_MS = 2 * BOUND_MS;
const CLIENTS = 6;
const ROTATING = 3;

describeWithServices(['postgres', 'redis'], 'an instance whose PostgreSQL goes silent', () => {
  // Skipped, this body still runs to collect the tests: the URLs are read in beforeAll.
  const database = randomDatabaseName('silent_db');
  const keyPrefix = uniquePrefix();
  let server: string | undefined;
  let directUrl: string;
  let proxy: TcpProxy;
  let service: RunningService;

  beforeAll(async () => {
    server = requireTestDatabaseUrl();
    await runOnServer(server, `create database ${quoteIdentifier(database)}`);
    directUrl = urlForDatabase(server, database);
    const direct = new URL(directUrl);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(directUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    service = await startListening({
      DATABASE_URL: proxied.href,
      ...TEST_MFA_KEYS,
      DATABASE_QUERY_TIMEOUT: `${QUERY_TIMEOUT_MS}ms`,
      // Fewer connections than requests in flight: some wait for one, within the bound too.
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      AUTH_ISSUER: 'http://auth.silent-db.test',
      AUTH_AUDIENCE: 'http://auth.silent-db.test',
      RATE_LIMIT_LOGIN_IP: 'off',
      RATE_LIMIT_LOGIN_ACCOUNT: 'off',
      RATE_LIMIT_SIGNUP_IP: 'off',
      RATE_LIMIT_REISSUE_IP: 'off',
    });
  }, 60_000);

  afterAll(async () => {
    if (service) await stop(service.child);
    await proxy?.close();
    const redis = await connectTestRedis('silent-db-cleanup');
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
    if (server !== undefined) {
      await runOnServer(
        server,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    }
  });

  const origin = () => new URL(service.url).origin;
  const isReady = async () => (await fetch(`${origin()}/ready`)).status === 200;

  /** What needs no store in Redis mode: a role check and another user's entity, both refused. */
  function cachedOnly(client: Client, otherUserId: string): Promise<Timed<GraphQLBody>>[] {
    const token = client.pair.accessToken;
    return [
      timedGraphQL(service.url, 'users (no ADMIN)', '{ users { id } }', token),
      timedGraphQL(
        service.url,
        'entity of another user',
        `{ _entities(representations: [{ __typename: "User", id: "${otherUserId}" }]) { ... on User { id } } }`,
        token,
      ),
    ];
  }

  it('answers every request within the bound while silent, then recovers and loses no session', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(await signUpClient(service.url, `silent-db-${i}@example.com`));
    }
    const [first, second] = clients as [Client, Client];
    const otherUserId = `not-${claimsOf(first.pair.accessToken).sid}`;
    // Fill the verified-token and liveness caches, once the revocation channel is healthy.
    await waitUntil(
      async () => (await readGauge(origin(), 'auth_revocation_channel_up')) === 1,
      5000,
    );
    for (const client of clients) {
      for (const warm of await Promise.all(cachedOnly(client, otherUserId))) {
        expect(codeOf(warm.answer)).toBe('FORBIDDEN');
      }
    }

    const log: Timed<GraphQLBody>[] = [];
    let stopping = false;
    const loops = clients
      .slice(0, ROTATING)
      .map((client) => rotateUntilStopped(service.url, client, () => stopping, log));
    await sleep(300);

    proxy.blackhole();
    const silentFrom = performance.now();
    const burst = await Promise.all([
      // More than the pool holds, so that some wait for a connection, within the bound too; few
      // enough that on a loaded machine the instance's own queue adds little. No sign-up: its
      // password hashing, not the store, would set its wait.
      ...Array.from({ length: 6 }, () =>
        timedGraphQL(service.url, 'me', ME, second.pair.accessToken),
      ),
      timedGraphQL(service.url, 'login', loginQuery(second.email)),
      timedGraphQL(service.url, 'reissue', REISSUE, second.pair.refreshToken),
      ...cachedOnly(second, otherUserId),
    ]);
    const readiness = await Promise.all([
      timedStatus(`${origin()}/ready`, 'ready'),
      timedStatus(`${origin()}/ready`, 'ready'),
    ]);
    await sleep(Math.max(0, silentFrom + SILENCE_MS - performance.now()));
    const restoredAt = performance.now();
    proxy.restore();

    // Every answer came while the network was still silent: the bound ended the waits.
    for (const answer of [...burst, ...readiness]) {
      expect(answer.hung).toBe(false);
      expect(answer.startedAt + answer.ms).toBeLessThan(restoredAt);
    }
    expect(readiness.map((each) => each.answer)).toEqual([503, 503]);
    const cached = burst.filter((each) => !['me', 'login', 'reissue'].includes(each.label));
    expect(cached.map((each) => codeOf(each.answer))).toEqual(Array(2).fill('FORBIDDEN'));
    // Answered from the caches: no wait on the silent store at all.
    expect(Math.max(...cached.map((each) => each.ms))).toBeLessThan(QUERY_TIMEOUT_MS);
    const needingStore = burst.filter((each) => !cached.includes(each));
    expect(new Set(needingStore.map((each) => codeOf(each.answer)))).toEqual(
      new Set(['INTERNAL_SERVER_ERROR']),
    );

    const recoveredInMs = await waitUntil(isReady, 10_000);
    await sleep(300);
    stopping = true;
    await Promise.all(loops);

    const all = [...log, ...burst, ...readiness];
    const during = summarise(all, silentFrom, restoredAt);
    expect(during.hung).toBe(0);
    expect(during.longestMs).toBeLessThanOrEqual(BOUND_MS);
    // The loops' failures are all the masked error: no session was refused meanwhile.
    const codes = new Set(
      log.map((each) => codeOf(each.answer)).filter((code) => code !== undefined),
    );
    expect([...codes].filter((code) => code !== 'INTERNAL_SERVER_ERROR')).toEqual([]);

    // Every client's newest pair still works, and its session holds the token it was given.
    for (const client of clients) {
      const reissued = await timedGraphQL(
        service.url,
        'reissue',
        REISSUE,
        client.pair.refreshToken,
      );
      client.pair = pairOf(reissued.answer, 'reissue') ?? client.pair;
      expect(codeOf(reissued.answer)).toBeUndefined();
      expect(
        codeOf((await timedGraphQL(service.url, 'me', ME, client.pair.accessToken)).answer),
      ).toBeUndefined();
    }
    const lineages = await readLineages(directUrl, clients);
    expect(lineages).toEqual(
      clients.map((client) => ({
        sid: claimsOf(client.pair.refreshToken).sid,
        current: claimsOf(client.pair.refreshToken).jti,
        revoked: false,
      })),
    );
    console.info(
      `[silent PostgreSQL] ${Math.round(restoredAt - silentFrom)} ms of silence, ` +
        `${during.count} requests during it, longest wait ${during.longestMs} ms (${during.longest}; bound ${BOUND_MS} ms), ` +
        `ready again ${Math.round(recoveredInMs)} ms after, ${lineages.length} sessions and lineages ` +
        `checked, ${lineages.filter((each) => each.revoked).length} lost`,
    );
  }, 60_000);
});

/** Each client's session as the database holds it, read directly. */
async function readLineages(
  url: string,
  clients: readonly Client[],
): Promise<{ sid: string; current: string; revoked: boolean }[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const sids = clients.map((client) => claimsOf(client.pair.refreshToken).sid);
    const result = await db.query<{ id: string; current: string; revoked: boolean }>(
      `select id, current_refresh_jti as current, revoked_at is not null as revoked
         from sessions where id = any($1)`,
      [sids],
    );
    const byId = new Map(result.rows.map((row) => [row.id, row]));
    return sids.map((sid) => ({
      sid,
      current: byId.get(sid)?.current ?? '(missing)',
      revoked: byId.get(sid)?.revoked ?? true,
    }));
  } finally {
    await db.end();
  }
}
