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
import {
  connectTestRedis,
  deleteKeys,
  testRedisTarget,
  testRedisUrlThrough,
  uniquePrefix,
} from '../helpers/redis.js';
import { post, type RunningService, startListening, stop } from '../helpers/service-process.js';
import { describeWithServices } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// Two real server processes on different ports, one PostgreSQL database and one Redis: what a
// deployment behind a load balancer does. Redis is reached through a TCP proxy the test can
// cut and restore, so an outage can be staged without stopping the Redis other tests share.

const PASSWORD = 'correct horse battery';
const PAIR = 'accessToken refreshToken';
/** The login limit per account; attempts on both instances must add up to it. */
const LOGIN_LIMIT = 6;

interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

type GraphQLBody = Record<string, unknown> & {
  errors?: { extensions?: Record<string, unknown> }[];
};

function firstError(body: GraphQLBody): Record<string, unknown> | undefined {
  return body.errors?.[0]?.extensions;
}

function pairOf(body: GraphQLBody, field: string): Pair {
  const pair = (body.data as Record<string, Pair> | null | undefined)?.[field];
  if (pair === undefined) throw new Error(`${field} failed: ${JSON.stringify(body)}`);
  return pair;
}

function jtiOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti;
}

/** Polls until `check` holds; resolves to the milliseconds it took, or rejects after `limitMs`. */
async function waitUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithServices(['postgres', 'redis'], 'two instances on one PostgreSQL and one Redis', () => {
  // Skipped, this body still runs to collect the tests: the URLs are read in beforeAll.
  const database = randomDatabaseName('cluster');
  const keyPrefix = uniquePrefix();
  let serverUrl: string | undefined;
  let databaseUrl: string;
  let proxy: TcpProxy;
  let a: RunningService;
  let b: RunningService;
  let emailCounter = 0;

  beforeAll(async () => {
    serverUrl = requireTestDatabaseUrl();
    databaseUrl = urlForDatabase(serverUrl, database);
    await runOnServer(serverUrl, `create database ${quoteIdentifier(database)}`);
    proxy = await startTcpProxy(testRedisTarget());
    const env = {
      DATABASE_URL: databaseUrl,
      ...TEST_MFA_KEYS,
      REDIS_URL: testRedisUrlThrough(proxy.port),
      REDIS_KEY_PREFIX: keyPrefix,
      // Both instances must issue and accept the same tokens.
      AUTH_ISSUER: 'http://auth.cluster.test',
      AUTH_AUDIENCE: 'http://auth.cluster.test',
      RATE_LIMIT_LOGIN_IP: 'off',
      RATE_LIMIT_SIGNUP_IP: 'off',
      RATE_LIMIT_REISSUE_IP: 'off',
      RATE_LIMIT_LOGIN_ACCOUNT: `${LOGIN_LIMIT}/1h`,
    };
    // Started together on an empty database: they also race for the migrations and first key.
    [a, b] = await Promise.all([startListening(env), startListening(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b].map((service) => (service ? stop(service.child) : null)));
    await proxy?.close();
    // The rate-limit counters the instances left (they would expire within the hour anyway).
    const redis = await connectTestRedis('cluster-cleanup');
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
    if (serverUrl !== undefined) {
      await runOnServer(
        serverUrl,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    }
  });

  async function signUp(url: string): Promise<Pair & { email: string }> {
    const email = `cluster${++emailCounter}@example.com`;
    const body = await post(
      url,
      `mutation { signUp(input: { email: "${email}", password: "${PASSWORD}" }) { ${PAIR} } }`,
    );
    return { ...pairOf(body, 'signUp'), email };
  }

  function login(url: string, email: string, password = PASSWORD): Promise<GraphQLBody> {
    return post(
      url,
      `mutation { login(input: { email: "${email}", password: "${password}" }) { ${PAIR} } }`,
    );
  }

  function me(url: string, token: string): Promise<GraphQLBody> {
    return post(url, '{ me { email } }', token);
  }

  function reissue(url: string, refreshToken: string): Promise<GraphQLBody> {
    return post(url, `mutation { reissue { ${PAIR} } }`, refreshToken);
  }

  function logout(url: string, accessToken: string): Promise<GraphQLBody> {
    return post(url, 'mutation { logout }', accessToken);
  }

  /** True once `url` refuses the token as belonging to a revoked session. */
  async function refusesAsRevoked(url: string, accessToken: string): Promise<boolean> {
    return firstError(await me(url, accessToken))?.reason === 'SESSION_REVOKED';
  }

  async function readSession(id: string): Promise<{ generation: number; jti: string }> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ generation: number; jti: string }>(
        'select generation, current_refresh_jti as jti from sessions where id = $1',
        [id],
      );
      const row = result.rows[0];
      if (row === undefined) throw new Error(`no session ${id}`);
      return row;
    } finally {
      await client.end();
    }
  }

  /** The shared-state gauges an instance reports on /metrics. */
  async function gauges(service: RunningService): Promise<{ channelUp: number; cached: number }> {
    const text = await (await fetch(new URL('/metrics', service.url))).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    return {
      channelUp: read('auth_revocation_channel_up'),
      cached: read('auth_session_cache_entries'),
    };
  }

  function sessionIdOf(token: string): string {
    const payload = token.split('.')[1] ?? '';
    return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string }).sid;
  }

  it('logs in on A, then serves me and reissue on B, and the new pair on A', async () => {
    const { email } = await signUp(a.url);
    const pair = pairOf(await login(a.url, email), 'login');
    expect(await me(b.url, pair.accessToken)).toEqual({ data: { me: { email } } });
    const next = pairOf(await reissue(b.url, pair.refreshToken), 'reissue');
    expect(await me(a.url, next.accessToken)).toEqual({ data: { me: { email } } });
    expect(pairOf(await reissue(a.url, next.refreshToken), 'reissue').accessToken).toBeTruthy();
  });

  it('refuses on A, within a second, an access token logged out on B', async () => {
    const pair = await signUp(a.url);
    // A has seen the session live and cached it: from here only B's announcement can stop A
    // from answering out of its cache.
    const before = await gauges(a);
    expect(await me(a.url, pair.accessToken)).not.toHaveProperty('errors');
    expect(await gauges(a)).toEqual({ channelUp: 1, cached: before.cached + 1 });
    const loggedOut = performance.now();
    expect(await logout(b.url, pair.accessToken)).toEqual({ data: { logout: true } });
    // Waited for well past the second, so a slow announcement fails on its real time below.
    await waitUntil(() => refusesAsRevoked(a.url, pair.accessToken), 5_000);
    expect(performance.now() - loggedOut).toBeLessThan(1_000);
    // The announcement dropped A's entry (the cache would have answered for 30 s more).
    expect(await gauges(a)).toEqual({ channelUp: 1, cached: before.cached });
    expect(firstError(await reissue(a.url, pair.refreshToken))?.reason).toBe('SESSION_REVOKED');
  });

  it('leaves exactly one lineage after 50 concurrent reissues of one refresh token on A and B', async () => {
    const pair = await signUp(a.url);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => reissue(i % 2 === 0 ? a.url : b.url, pair.refreshToken)),
    );
    // One rotation won; the others were duplicates inside the reuse interval and got the
    // winner's pair: one refresh jti among all answers, and the session rotated once.
    const pairs = answers.map((answer) => pairOf(answer, 'reissue'));
    const jtis = new Set(pairs.map((next) => jtiOf(next.refreshToken)));
    expect(jtis.size).toBe(1);
    const session = await readSession(sessionIdOf(pair.accessToken));
    expect(session).toEqual({ generation: 1, jti: [...jtis][0] });
    // And the lineage goes on from there, on either instance.
    const [winner] = pairs;
    expect(pairOf(await reissue(b.url, winner?.refreshToken ?? ''), 'reissue')).toBeTruthy();
  });

  it('shares the login limit: attempts on A and B add up', async () => {
    const { email } = await signUp(a.url);
    // Alone, each instance would admit LOGIN_LIMIT attempts; together they admit LOGIN_LIMIT.
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const answer = await login(i % 2 === 0 ? a.url : b.url, email, `wrong ${PASSWORD}`);
      expect(firstError(answer)?.code).toBe('UNAUTHENTICATED');
    }
    for (const url of [a.url, b.url]) {
      const refused = firstError(await login(url, email));
      expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    }
  });

  it('survives a Redis outage: no session lost, no revoked token let back in', async () => {
    const kept = await signUp(a.url);
    const revokedBefore = await signUp(b.url);
    await logout(a.url, revokedBefore.accessToken);
    const revokedDuring = await signUp(a.url);
    for (const url of [a.url, b.url]) await me(url, revokedDuring.accessToken);

    proxy.cut();
    await waitUntil(async () => (await gauges(a)).channelUp === 0, 1_000);
    // Deaf to announcements, A forgets its cache and reads the store on every request.
    expect(await gauges(a)).toEqual({ channelUp: 0, cached: 0 });
    // Without Redis both instances keep serving from the store: logins, reissues, the API.
    const during = await signUp(b.url);
    expect(await me(a.url, during.accessToken)).toEqual({ data: { me: { email: during.email } } });
    expect(await me(b.url, kept.accessToken)).toEqual({ data: { me: { email: kept.email } } });
    // A revocation on B cannot be announced, but A, reading the store, refuses the token on
    // the very next request.
    expect(await logout(b.url, revokedDuring.accessToken)).toEqual({ data: { logout: true } });
    expect(await refusesAsRevoked(a.url, revokedDuring.accessToken)).toBe(true);
    expect(await gauges(a)).toEqual({ channelUp: 0, cached: 0 });

    proxy.restore();
    // Both instances find Redis again by themselves.
    await waitUntil(async () => {
      const [onA, onB] = await Promise.all([gauges(a), gauges(b)]);
      return onA.channelUp === 1 && onB.channelUp === 1;
    }, 10_000);

    for (const url of [a.url, b.url]) {
      for (const session of [kept, during]) {
        expect(await me(url, session.accessToken)).toEqual({
          data: { me: { email: session.email } },
        });
      }
      for (const revoked of [revokedBefore, revokedDuring]) {
        expect(firstError(await me(url, revoked.accessToken))?.reason).toBe('SESSION_REVOKED');
        expect(firstError(await reissue(url, revoked.refreshToken))?.reason).toBe(
          'SESSION_REVOKED',
        );
      }
    }
    // Announcements flow again: a session A has cached, logged out on B, is refused on A.
    const revokedAfter = await signUp(a.url);
    const cachedBefore = (await gauges(a)).cached;
    await me(a.url, revokedAfter.accessToken);
    expect(await gauges(a)).toEqual({ channelUp: 1, cached: cachedBefore + 1 });
    const loggedOut = performance.now();
    expect(await logout(b.url, revokedAfter.accessToken)).toEqual({ data: { logout: true } });
    await waitUntil(() => refusesAsRevoked(a.url, revokedAfter.accessToken), 5_000);
    expect(performance.now() - loggedOut).toBeLessThan(1_000);
    expect(await gauges(a)).toEqual({ channelUp: 1, cached: cachedBefore });
  }, 30_000);
});
