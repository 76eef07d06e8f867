import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, decodeJwtPart, PASSWORD, type TestApp } from '../helpers/app.js';
import { createManualTimers, type ManualTimers } from '../helpers/clock.js';
import { listen } from '../helpers/listen.js';
import { type EventReader, readEvents } from '../helpers/sse.js';

// Issue 16, section 2: GET /revocations, in process, with the clock and timers the test moves.

const TOKEN = 'feed-token-0123456789abcdef0123456789abcdef';

let app: TestApp;
let timers: ManualTimers;
const readers: EventReader[] = [];

async function feedApp(env: Record<string, string> = {}): Promise<TestApp> {
  app = await createTestApp(
    { REVOCATION_FEED_TOKEN: TOKEN, ACCESS_TOKEN_TTL: '10m', ...env },
    {
      timers: (clock) => {
        timers = createManualTimers(clock);
        return timers;
      },
    },
  );
  return app;
}
afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.cancel()));
  await app.close();
});

async function request(headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return await app.yoga.fetch('http://yoga/revocations', { method, headers });
}

async function connect(lastEventId?: string): Promise<EventReader> {
  const response = await request({
    authorization: `Bearer ${TOKEN}`,
    ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  if (response.body === null) throw new Error('no body');
  const reader = readEvents(response.body);
  readers.push(reader);
  return reader;
}

function sidOf(token: string): string {
  return String(decodeJwtPart(token, 1).sid);
}

async function logout(token: string): Promise<void> {
  const response = await app.graphql('mutation { logout }', { token });
  expect(response.data).toEqual({ logout: true });
}

describe('GET /revocations', () => {
  it('does not exist without REVOCATION_FEED_TOKEN (404)', async () => {
    app = await createTestApp();
    expect((await request({ authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it.each([
    ['no Authorization', {}],
    ['another token', { authorization: `Bearer ${TOKEN}x` }],
    ['the token without Bearer', { authorization: TOKEN }],
    ['an access token of ours', { authorization: 'Bearer eyJ.eyJ.sig' }],
  ])('answers 401 for %s', async (_name, headers) => {
    await feedApp();
    const response = await request(headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="revocations"');
  });

  it('answers 405 to anything but GET', async () => {
    await feedApp();
    expect((await request({ authorization: `Bearer ${TOKEN}` }, 'POST')).status).toBe(405);
  });

  it('sends each revocation as it commits: event revoked, a cursor, sid, sub, exp and reason', async () => {
    await feedApp();
    const mine = await app.signUp();
    const feed = await connect();
    await logout(mine.accessToken);
    const event = await feed.next();
    expect(event.event).toBe('revoked');
    expect(event.id).toMatch(/\S/);
    const exp = Math.ceil((app.clock.now() + 600_000) / 1000);
    expect(JSON.parse(event.data)).toEqual({
      sid: sidOf(mine.accessToken),
      sub: mine.user.id,
      exp,
      reason: 'LOGOUT',
    });
    // No access token of the session outlives `exp`.
    expect(Number(decodeJwtPart(mine.accessToken, 1).exp)).toBeLessThanOrEqual(exp);
  });

  it('sends a heartbeat comment every 5 s', async () => {
    await feedApp();
    const feed = await connect();
    // The first comment flushes the headers; then one every 5 s.
    await expect.poll(() => feed.comments).toBe(1);
    timers.advance(4_999);
    await expect(feed.next(50)).rejects.toThrow('no event');
    expect(feed.comments).toBe(1);
    timers.advance(1);
    timers.advance(5_000);
    await expect.poll(() => feed.comments).toBe(3);
  });

  it('replays, after Last-Event-ID, exactly what came after it; without one, all that still matters', async () => {
    await feedApp();
    const [a, b, c] = [await app.signUp(), await app.signUp(), await app.signUp()];
    const live = await connect();
    for (const user of [a, b, c]) await logout(user.accessToken);
    const sent = [await live.next(), await live.next(), await live.next()];
    expect(sent.map((event) => JSON.parse(event.data).sid)).toEqual(
      [a, b, c].map((user) => sidOf(user.accessToken)),
    );

    const resumed = await connect(sent[0]?.id ?? '');
    expect(JSON.parse((await resumed.next()).data).sid).toBe(sidOf(b.accessToken));
    expect(JSON.parse((await resumed.next()).data).sid).toBe(sidOf(c.accessToken));
    await expect(resumed.next(100)).rejects.toThrow('no event');

    const fresh = await connect();
    const replayed = [await fresh.next(), await fresh.next(), await fresh.next()];
    expect(replayed.map((event) => event.id)).toEqual(sent.map((event) => event.id));
  });

  it('sends reset for a cursor older than a token lifetime, then only what still matters', async () => {
    await feedApp();
    const old = await app.signUp();
    const feed = await connect();
    await logout(old.accessToken);
    const first = await feed.next();
    // Past ACCESS_TOKEN_TTL plus the clock tolerance: that revocation no longer matters.
    app.clock.advanceSeconds(600 + 6);
    const recent = await app.signUp();
    await logout(recent.accessToken);
    const resumed = await connect(first.id ?? '');
    expect((await resumed.next()).event).toBe('reset');
    const next = await resumed.next();
    expect(JSON.parse(next.data).sid).toBe(sidOf(recent.accessToken));
    await expect(resumed.next(100)).rejects.toThrow('no event');
  });

  it.each(['garbage', '1.2', `${Date.parse('2026-01-01T00:00:00Z')}.not-a-position`])(
    'sends reset for a cursor it never handed out (%s), then everything that still matters',
    async (cursor) => {
      await feedApp();
      const mine = await app.signUp();
      await logout(mine.accessToken);
      const feed = await connect(cursor);
      expect((await feed.next()).event).toBe('reset');
      expect(JSON.parse((await feed.next()).data).sid).toBe(sidOf(mine.accessToken));
    },
  );

  it('serves what another instance on the same database revoked, within its poll', async () => {
    await feedApp();
    const other = await createTestApp({ REVOCATION_FEED_TOKEN: TOKEN }, { shareWith: app });
    const mine = await other.signUp();
    const elsewhere = await other.login(mine.user.email, PASSWORD);
    const feed = await connect();
    await other.graphql('mutation { logout }', { token: elsewhere.accessToken });
    await expect(feed.next(100)).rejects.toThrow('no event');
    timers.advance(500);
    expect(JSON.parse((await feed.next()).data).sid).toBe(sidOf(elsewhere.accessToken));
  });
});

describe('GET /revocations on a socket', () => {
  it('forgets a connection the client closed, as /metrics shows', async () => {
    await feedApp();
    const http = await listen(app.yoga);
    try {
      const gauge = async () => {
        const text = await (await fetch(`${http.origin}/metrics`)).text();
        return /^auth_revocation_feed_connections_open (\d+)$/m.exec(text)?.[1];
      };
      const abort = new AbortController();
      const response = await fetch(`${http.origin}/revocations`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: abort.signal,
      });
      await response.body?.getReader().read();
      expect(await gauge()).toBe('1');
      abort.abort();
      await expect.poll(gauge).toBe('0');
    } finally {
      await http.close();
    }
  });
});
