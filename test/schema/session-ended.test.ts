import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, decodeJwtPart, PASSWORD, type TestApp } from '../helpers/app.js';
import { createManualTimers, type ManualTimers } from '../helpers/clock.js';
import { captureMail, linkTokenOf } from '../helpers/mail.js';
import { type EventReader, readEvents } from '../helpers/sse.js';
import { allRevocationRecords, testStoreKind } from '../helpers/store.js';

// Issue 16, section 1: `sessionEnded` over yoga's SSE (distinct connections, /graphql) and the
// graphql-sse protocol (/graphql/stream), in process.

const SUBSCRIPTION = 'subscription { sessionEnded { sessionId reason endedAt } }';

let app: TestApp;
let timers: ManualTimers;

beforeEach(async () => {
  app = await createTestApp(
    {},
    {
      timers: (clock) => {
        timers = createManualTimers(clock);
        return timers;
      },
    },
  );
});
afterEach(() => app.close());

interface Opened {
  readonly status: number;
  readonly events: EventReader;
}

async function open(
  target: TestApp,
  token: string | undefined,
  path: '/graphql' | '/graphql/stream' = '/graphql',
  remoteAddress?: string,
): Promise<Opened> {
  const body = JSON.stringify({ query: SUBSCRIPTION });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await target.yoga.fetch(
    `http://yoga${path}`,
    { method: 'POST', headers, body },
    remoteAddress === undefined ? {} : { req: { socket: { remoteAddress } } },
  );
  if (response.body === null) throw new Error('no body');
  return { status: response.status, events: readEvents(response.body) };
}

/** The `next` payload of the stream, and that it then completes. */
async function expectOneResult(events: EventReader): Promise<Record<string, unknown>> {
  const next = await events.next();
  expect(next.event).toBe('next');
  const complete = await events.next();
  expect(complete.event).toBe('complete');
  await events.ended;
  return JSON.parse(next.data) as Record<string, unknown>;
}

async function logout(token: string, scope: 'CURRENT' | 'OTHERS' | 'ALL'): Promise<void> {
  const response = await app.graphql(`mutation { logout(scope: ${scope}) }`, { token });
  expect(response.data).toEqual({ logout: true });
}

function sidOf(token: string): string {
  return String(decodeJwtPart(token, 1).sid);
}

describe(`${testStoreKind()}: sessionEnded`, () => {
  it.each(['/graphql', '/graphql/stream'] as const)(
    'over %s: a logout in another tab ends this tab’s stream with LOGOUT, once, then completes',
    async (path) => {
      const first = await app.signUp();
      const second = await app.login(first.user.email, PASSWORD);
      const { status, events } = await open(app, first.accessToken, path);
      expect(status).toBe(200);
      await logout(second.accessToken, 'ALL');
      expect(await expectOneResult(events)).toEqual({
        data: {
          sessionEnded: {
            sessionId: sidOf(first.accessToken),
            reason: 'LOGOUT',
            endedAt: new Date(app.clock.now()).toISOString(),
          },
        },
      });
    },
  );

  it('is not ended by logout(OTHERS) from its own session, and ends the others', async () => {
    const mine = await app.signUp();
    const other = await app.login(mine.user.email, PASSWORD);
    const kept = await open(app, mine.accessToken);
    const ended = await open(app, other.accessToken);
    await logout(mine.accessToken, 'OTHERS');
    const result = await expectOneResult(ended.events);
    expect(result.data).toMatchObject({ sessionEnded: { reason: 'LOGOUT' } });
    await expect(kept.events.next(300)).rejects.toThrow('no event');
    await kept.events.cancel();
  });

  it('says REVOKED for revokeSession, and PASSWORD_CHANGED for a password change', async () => {
    const mine = await app.signUp();
    const revoked = await app.login(mine.user.email, PASSWORD);
    const changed = await app.login(mine.user.email, PASSWORD);
    const revokedStream = await open(app, revoked.accessToken);
    const changedStream = await open(app, changed.accessToken);
    const revoke = await app.graphql('mutation ($id: ID!) { revokeSession(id: $id) }', {
      token: mine.accessToken,
      variables: { id: sidOf(revoked.accessToken) },
    });
    expect(revoke.data).toEqual({ revokeSession: true });
    expect((await expectOneResult(revokedStream.events)).data).toMatchObject({
      sessionEnded: { sessionId: sidOf(revoked.accessToken), reason: 'REVOKED' },
    });
    const change = await app.graphql(
      `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }`,
      {
        token: mine.accessToken,
        variables: { input: { currentPassword: PASSWORD, newPassword: 'another long password' } },
      },
    );
    expect(change.errors).toBeUndefined();
    expect((await expectOneResult(changedStream.events)).data).toMatchObject({
      sessionEnded: { sessionId: sidOf(changed.accessToken), reason: 'PASSWORD_CHANGED' },
    });
  });

  it('says REFRESH_TOKEN_REUSED when a retired refresh token ends the session', async () => {
    const mine = await app.signUp();
    const stream = await open(app, mine.accessToken);
    expect((await app.reissue(mine.refreshToken)).errors).toBeUndefined();
    app.clock.advanceSeconds(60); // past the reuse interval
    const reuse = await app.reissue(mine.refreshToken);
    expect(reuse.errors?.[0]?.extensions?.reason).toBe('REFRESH_TOKEN_REUSED');
    expect((await expectOneResult(stream.events)).data).toMatchObject({
      sessionEnded: { reason: 'REFRESH_TOKEN_REUSED' },
    });
  });

  it('hears an end that no announcement told of (another process, the CLI) by polling the store', async () => {
    const mine = await app.signUp();
    const stream = await open(app, mine.accessToken);
    // Straight to the store, as another process writing to the same database would.
    await app.deps.store.sessions.revoke(
      sidOf(mine.accessToken),
      'revoked_by_admin',
      app.clock.now(),
    );
    await expect(stream.events.next(200)).rejects.toThrow('no event');
    timers.advance(500);
    expect((await expectOneResult(stream.events)).data).toMatchObject({
      sessionEnded: { reason: 'REVOKED' },
    });
  });

  it('ends with UNAUTHENTICATED / TOKEN_EXPIRED when the access token it was opened with expires', async () => {
    const mine = await app.signUp();
    const stream = await open(app, mine.accessToken);
    const exp = Number(decodeJwtPart(mine.accessToken, 1).exp);
    timers.advance(exp * 1000 - app.clock.now() - 1);
    await expect(stream.events.next(200)).rejects.toThrow('no event');
    timers.advance(1);
    const result = await expectOneResult(stream.events);
    expect(result.data).toBeNull();
    expect((result.errors as { extensions: unknown }[])[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_EXPIRED',
    });
  });
});

describe(`${testStoreKind()}: sessionEnded for the account lifecycle`, () => {
  const ADMIN = 'admin@example.com';

  it('says ACCOUNT_DISABLED for disableUser, ACCOUNT_DELETED for deleteAccount, PASSWORD_CHANGED for a reset', async () => {
    const lifecycle = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN });
    try {
      const admin = await lifecycle.signUp(ADMIN);
      const disabled = await lifecycle.signUp();
      const deleted = await lifecycle.signUp();
      const reset = await lifecycle.signUp();
      const streams = await Promise.all(
        [disabled, deleted, reset].map((account) => open(lifecycle, account.accessToken)),
      );
      const [disabledStream, deletedStream, resetStream] = streams as [Opened, Opened, Opened];

      const disable = await lifecycle.graphql('mutation ($id: ID!) { disableUser(userId: $id) }', {
        token: admin.accessToken,
        variables: { id: disabled.user.id },
      });
      expect(disable.data).toEqual({ disableUser: true });
      expect((await expectOneResult(disabledStream.events)).data).toMatchObject({
        sessionEnded: { sessionId: sidOf(disabled.accessToken), reason: 'ACCOUNT_DISABLED' },
      });

      const erase = await lifecycle.graphql(
        'mutation ($p: String!) { deleteAccount(currentPassword: $p) }',
        {
          token: deleted.accessToken,
          variables: { p: PASSWORD },
        },
      );
      expect(erase.data).toEqual({ deleteAccount: true });
      expect((await expectOneResult(deletedStream.events)).data).toMatchObject({
        sessionEnded: { sessionId: sidOf(deleted.accessToken), reason: 'ACCOUNT_DELETED' },
      });
      // The record outlives the account's rows, so the revocation feed still names the session.
      const records = await allRevocationRecords(lifecycle.deps.store);
      expect(
        records.find((record) => record.sessionId === sidOf(deleted.accessToken)),
      ).toMatchObject({
        userId: deleted.user.id,
        reason: 'account_deleted',
      });

      const mail = captureMail(lifecycle);
      const asked = await lifecycle.graphql(
        'mutation ($e: String!) { requestPasswordReset(email: $e) }',
        {
          variables: { e: reset.user.email },
        },
      );
      expect(asked.data).toEqual({ requestPasswordReset: true });
      const token = linkTokenOf((await mail.deliverTo(reset.user.email)).at(-1));
      const done = await lifecycle.graphql(
        'mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) { accessToken } }',
        { variables: { input: { token, newPassword: 'a brand new long password' } } },
      );
      expect(done.errors).toBeUndefined();
      expect((await expectOneResult(resetStream.events)).data).toMatchObject({
        sessionEnded: { sessionId: sidOf(reset.accessToken), reason: 'PASSWORD_CHANGED' },
      });
    } finally {
      await lifecycle.close();
    }
  });
});

describe(`${testStoreKind()}: sessionEnded refusals and limits`, () => {
  async function expectRefusal(opened: Opened): Promise<unknown> {
    expect(opened.status).toBe(200);
    const result = await expectOneResult(opened.events);
    expect(result.data).toBeNull();
    return (result.errors as { extensions: unknown }[])[0]?.extensions;
  }

  it.each(['/graphql', '/graphql/stream'] as const)(
    'over %s: refuses no token, a refresh token and a revoked access token at once',
    async (path) => {
      const mine = await app.signUp();
      expect(await expectRefusal(await open(app, undefined, path))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'TOKEN_MISSING',
      });
      expect(await expectRefusal(await open(app, mine.refreshToken, path))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'TOKEN_TYPE_MISMATCH',
      });
      await logout(mine.accessToken, 'CURRENT');
      expect(await expectRefusal(await open(app, mine.accessToken, path))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'SESSION_REVOKED',
      });
    },
  );

  it.each(['/graphql', '/graphql/stream'] as const)(
    'over %s: refuses a restricted session with FORBIDDEN and its restriction, not a logout',
    async (path) => {
      const restricting = await createTestApp({ REQUIRE_EMAIL_VERIFICATION: 'true' });
      try {
        const unverified = await restricting.signUp();
        const opened = await open(restricting, unverified.accessToken, path);
        expect(await expectRefusal(opened)).toEqual({
          code: 'FORBIDDEN',
          reason: 'EMAIL_NOT_VERIFIED',
        });
      } finally {
        await restricting.close();
      }
    },
  );

  it('bounds the open streams per user (SUBSCRIPTION_LIMIT_USER); a closed stream frees its place', async () => {
    const limited = await createTestApp({ SUBSCRIPTION_LIMIT_USER: '2' });
    try {
      const mine = await limited.signUp();
      const first = await open(limited, mine.accessToken, '/graphql');
      const second = await open(limited, mine.accessToken, '/graphql/stream');
      expect(await expectRefusal(await open(limited, mine.accessToken))).toEqual({
        code: 'TOO_MANY_REQUESTS',
        reason: 'SUBSCRIPTION_LIMIT',
      });
      // Another user is not counted against this one.
      const other = await limited.signUp();
      const theirs = await open(limited, other.accessToken);
      await expect(theirs.events.next(200)).rejects.toThrow('no event');
      await first.events.cancel();
      await first.events.ended;
      await vi.waitFor(async () => {
        const again = await open(limited, mine.accessToken);
        await expect(again.events.next(100)).rejects.toThrow('no event');
        await again.events.cancel();
      });
      await Promise.all([second.events.cancel(), theirs.events.cancel()]);
    } finally {
      await limited.close();
    }
  });

  it('bounds the open streams per client address (SUBSCRIPTION_LIMIT_IP)', async () => {
    const limited = await createTestApp({ SUBSCRIPTION_LIMIT_IP: '2' });
    try {
      const [a, b, c] = [await limited.signUp(), await limited.signUp(), await limited.signUp()];
      const streams = [
        await open(limited, a.accessToken, '/graphql', '203.0.113.7'),
        await open(limited, b.accessToken, '/graphql', '203.0.113.7'),
      ];
      const refused = await open(limited, c.accessToken, '/graphql', '203.0.113.7');
      expect(await expectRefusal(refused)).toEqual({
        code: 'TOO_MANY_REQUESTS',
        reason: 'SUBSCRIPTION_LIMIT',
      });
      const elsewhere = await open(limited, c.accessToken, '/graphql', '198.51.100.1');
      await expect(elsewhere.events.next(100)).rejects.toThrow('no event');
      await Promise.all([...streams, elsewhere].map((stream) => stream.events.cancel()));
    } finally {
      await limited.close();
    }
  });
});

describe(`${testStoreKind()}: sessionEnded without an event stream`, () => {
  it('answers a subscription asked for as JSON with 400 BAD_REQUEST / STREAM_REQUIRED and closes it', async () => {
    const limited = await createTestApp({ SUBSCRIPTION_LIMIT_USER: '1' });
    try {
      const mine = await limited.signUp();
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await limited.graphql(SUBSCRIPTION, {
          token: mine.accessToken,
          headers: {
            accept: attempt === 0 ? 'application/json' : 'application/graphql-response+json',
          },
        });
        expect(response.status).toBe(400);
        expect(response.errors?.[0]?.extensions).toEqual({
          code: 'BAD_REQUEST',
          reason: 'STREAM_REQUIRED',
        });
      }
      // The one place the limit allows was given back each time.
      const stream = await open(limited, mine.accessToken);
      await expect(stream.events.next(100)).rejects.toThrow('no event');
      await stream.events.cancel();
    } finally {
      await limited.close();
    }
  });
});
