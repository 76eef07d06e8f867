import { createClient } from 'graphql-sse';
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
import { post, type RunningService, startListening, stop } from '../helpers/service-process.js';
import { describeWithServices } from '../helpers/services.js';

// Issue 16, section 4: two real server processes on one PostgreSQL and one Redis. A graphql-sse
// client (the protocol's own client, /graphql/stream) subscribes to sessionEnded on instance A;
// the session is logged out on instance B; A's stream delivers the end within 1 s.

const PASSWORD = 'correct horse battery';

interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

interface SessionEndedEvent {
  readonly data?: { sessionEnded: { sessionId: string; reason: string; endedAt: string } };
  readonly errors?: unknown;
}

describeWithServices(['postgres', 'redis'], 'sessionEnded across two instances', () => {
  // Skipped, this body still runs to collect the tests: the URLs are read in beforeAll.
  const database = randomDatabaseName('live');
  const keyPrefix = uniquePrefix();
  let serverUrl: string | undefined;
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    serverUrl = requireTestDatabaseUrl();
    await runOnServer(serverUrl, `create database ${quoteIdentifier(database)}`);
    const env = {
      DATABASE_URL: urlForDatabase(serverUrl, database),
      ...TEST_MFA_KEYS,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
      AUTH_ISSUER: 'http://auth.live.test',
      AUTH_AUDIENCE: 'http://auth.live.test',
      RATE_LIMIT_SIGNUP_IP: 'off',
    };
    a = await startListening(env);
    b = await startListening(env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b].map((service) => (service ? stop(service.child) : null)));
    const redis = await connectTestRedis('live-cleanup');
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
    if (serverUrl !== undefined) {
      await runOnServer(
        serverUrl,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    }
  });

  it('a subscription on A receives the end of a session logged out on B, within 1 s', async () => {
    const body = await post(
      a.url,
      `mutation { signUp(input: { email: "live@example.com", password: "${PASSWORD}" }) { accessToken refreshToken } }`,
    );
    const pair = (body.data as { signUp?: Pair } | null | undefined)?.signUp;
    if (pair === undefined) throw new Error(`signUp failed: ${JSON.stringify(body)}`);
    const sid = JSON.parse(
      Buffer.from(pair.accessToken.split('.')[1] ?? '', 'base64url').toString(),
    ).sid as string;

    const client = createClient({
      url: `${a.url}/stream`,
      headers: { authorization: `Bearer ${pair.accessToken}` },
      retryAttempts: 0,
    });
    try {
      const events: SessionEndedEvent[] = [];
      let opened: () => void = () => undefined;
      const open = new Promise<void>((resolve) => {
        opened = resolve;
      });
      let receivedAt = 0;
      const done = new Promise<void>((resolve, reject) => {
        client.subscribe<SessionEndedEvent['data']>(
          { query: 'subscription { sessionEnded { sessionId reason endedAt } }' },
          {
            next: (event) => {
              receivedAt = performance.now();
              events.push(event as SessionEndedEvent);
            },
            error: reject,
            complete: resolve,
          },
          { connected: () => opened() },
        );
      });
      await open;
      // Only once A holds the stream (its gauge), or the logout could come before it listens.
      await expect
        .poll(async () => {
          const metrics = await (await fetch(a.url.replace(/\/graphql$/, '/metrics'))).text();
          return /^auth_session_ended_streams_open(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1];
        })
        .toBe('1');

      const loggedOutAt = performance.now();
      expect(await post(b.url, 'mutation { logout }', pair.accessToken)).toEqual({
        data: { logout: true },
      });
      await done; // one event, then the stream completes
      expect(events).toHaveLength(1);
      expect(events[0]?.data?.sessionEnded).toMatchObject({ sessionId: sid, reason: 'LOGOUT' });
      expect(receivedAt - loggedOutAt).toBeLessThan(1_000);
    } finally {
      client.dispose();
    }
  });
});
