import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { purgeAuditEvents } from '../../src/auth/events/audit-log.js';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';
import { dumpPostgresTestStore, testStoreKind } from '../helpers/store.js';

let app: TestApp;
let directory: string | undefined;
afterEach(async () => {
  await app.close();
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

const ADMIN = 'admin@example.com';
const EVENT_FIELDS =
  'id type occurredAt userId sessionId actorId ip userAgent detail revokedSessions';

interface EventView {
  id: string;
  type: string;
  occurredAt: string;
  userId: string | null;
  sessionId: string | null;
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: string | null;
  revokedSessions: number;
}

interface Page {
  edges: { cursor: string; node: EventView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function auditEvents(token: string, variables: Record<string, unknown> = {}): Promise<Page> {
  const response = await app.graphql<{ auditEvents: Page }>(
    `query ($filter: AuditEventFilter, $first: Int, $after: String) {
      auditEvents(filter: $filter, first: $first, after: $after) {
        edges { cursor node { ${EVENT_FIELDS} } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
    { token, variables },
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.auditEvents;
}

const client = { remoteAddress: '198.51.100.7', headers: { 'user-agent': 'AuditTest/1.0' } };

/** Produces one event of every type and returns what a later check needs. */
async function produceEveryEvent() {
  const admin = await app.signUp(ADMIN);
  const user = await app.signUp('user@example.com'); // SIGN_UP
  const wrongPassword = 'wrong password guess';
  await app.graphql(
    `mutation { login(input: { email: "user@example.com", password: "${wrongPassword}" }) { accessToken } }`,
    client,
  ); // LOGIN_FAILED (WRONG_PASSWORD)
  await app.graphql(
    'mutation { login(input: { email: "nobody@example.com", password: "whatever1" }) { accessToken } }',
    client,
  ); // LOGIN_FAILED (UNKNOWN_EMAIL)
  const second = await app.login('user@example.com', PASSWORD); // LOGIN_SUCCEEDED
  const reissued = await app.graphql<{ reissue: { refreshToken: string; accessToken: string } }>(
    'mutation { reissue { accessToken refreshToken } }',
    { token: second.refreshToken, ...client },
  ); // REISSUE
  app.clock.advanceSeconds(60);
  await app.reissue(second.refreshToken); // REFRESH_TOKEN_REUSED
  const third = await app.login('user@example.com', PASSWORD);
  await app.graphql(
    'mutation { changePassword(input: { currentPassword: "nope nope", newPassword: "new password 1" }) { accessToken } }',
    { token: third.accessToken, ...client },
  ); // PASSWORD_CHANGE_FAILED
  const changed = await app.graphql<{ changePassword: { accessToken: string } }>(
    `mutation { changePassword(input: { currentPassword: "${PASSWORD}", newPassword: "new password 1" }) { accessToken } }`,
    { token: third.accessToken, ...client },
  ); // PASSWORD_CHANGED, revoking the first session
  const fourth = await app.login('user@example.com', 'new password 1');
  const sessions = await app.graphql<{ mySessions: { id: string; current: boolean }[] }>(
    '{ mySessions { id current } }',
    { token: fourth.accessToken },
  );
  const notCurrent = sessions.data?.mySessions.find((session) => !session.current);
  await app.graphql('mutation ($id: ID!) { revokeSession(id: $id) }', {
    token: fourth.accessToken,
    variables: { id: notCurrent?.id },
  }); // SESSION_REVOKED (USER)
  await app.graphql('mutation { logout }', { token: fourth.accessToken, ...client }); // LOGOUT
  const fifth = await app.login('user@example.com', 'new password 1');
  await app.graphql('mutation ($id: ID!) { revokeUserSessions(userId: $id) }', {
    token: admin.accessToken,
    variables: { id: user.user.id },
  }); // SESSION_REVOKED (ADMIN)
  const secrets = [
    PASSWORD,
    wrongPassword,
    'new password 1',
    'whatever1',
    ...[admin, user, second, third, fifth].flatMap((pair) => [pair.accessToken, pair.refreshToken]),
    reissued.data?.reissue.accessToken ?? '',
    reissued.data?.reissue.refreshToken ?? '',
    changed.data?.changePassword.accessToken ?? '',
  ];
  return { admin, user, secrets };
}

describe('audit log', () => {
  it('records every auth event with time, type, user, session, address and user agent', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN, RATE_LIMIT_LOGIN_IP: '100/1m' });
    const { admin, user } = await produceEveryEvent();
    const events = (await auditEvents(admin.accessToken, { first: 100 })).edges.map((e) => e.node);
    const types = new Set(events.map((event) => event.type));
    expect([...types].sort()).toEqual([
      'EMAIL_VERIFICATION_SENT',
      'LOGIN_FAILED',
      'LOGIN_SUCCEEDED',
      'LOGOUT',
      'PASSWORD_CHANGED',
      'PASSWORD_CHANGE_FAILED',
      'REFRESH_TOKEN_REUSED',
      'REISSUE',
      'SESSION_REVOKED',
      'SIGN_UP',
    ]);
    // Newest first.
    const ids = events.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const failed = events.filter((event) => event.type === 'LOGIN_FAILED');
    expect(failed.map((event) => [event.userId, event.detail])).toEqual([
      [null, 'UNKNOWN_EMAIL'],
      [user.user.id, 'WRONG_PASSWORD'],
    ]);
    expect(failed[0]).toMatchObject({ ip: '198.51.100.7', userAgent: 'AuditTest/1.0' });
    const reused = events.find((event) => event.type === 'REFRESH_TOKEN_REUSED');
    expect(reused).toMatchObject({ userId: user.user.id, revokedSessions: 1 });
    expect(reused?.sessionId).toEqual(expect.any(String));
    const changed = events.find((event) => event.type === 'PASSWORD_CHANGED');
    expect(changed).toMatchObject({ revokedSessions: 1, ip: '198.51.100.7' });
    const byAdmin = events.find((event) => event.detail === 'ADMIN');
    expect(byAdmin).toMatchObject({
      type: 'SESSION_REVOKED',
      userId: user.user.id,
      actorId: admin.user.id,
      revokedSessions: 1,
    });
  });

  it('records RATE_LIMITED once per burst of refusals, with the operation and the limit', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN, RATE_LIMIT_LOGIN_ACCOUNT: '1/1m' });
    const admin = await app.signUp(ADMIN);
    await app.login(ADMIN, PASSWORD);
    // Hammering a closed door writes one event, not one per attempt.
    for (let i = 0; i < 5; i++) {
      await app.graphql(
        `mutation { login(input: { email: "${ADMIN}", password: "x${PASSWORD}" }) { accessToken } }`,
      );
    }
    const page = await auditEvents(admin.accessToken, { filter: { types: ['RATE_LIMITED'] } });
    expect(page.edges.map((edge) => edge.node.detail)).toEqual(['login loginPerAccount']);
  });

  it('never stores a password or a token anywhere in the database', async () => {
    let scan: () => Promise<{ name: string; content: string }[]>;
    if (testStoreKind() === 'sqlite') {
      // The database file and its WAL, byte for byte.
      const folder = await mkdtemp(join(tmpdir(), 'audit-'));
      directory = folder;
      app = await createTestApp({
        AUTH_ADMIN_EMAILS: ADMIN,
        DATABASE_URL: `file:${join(folder, 'auth.db')}`,
      });
      scan = async () =>
        (await readdir(folder)).map((name) => ({
          name,
          content: readFileSync(join(folder, name)).toString('latin1'),
        }));
    } else {
      app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN });
      const { store } = app.deps;
      scan = async () => [{ name: 'every table', content: await dumpPostgresTestStore(store) }];
    }
    const { secrets } = await produceEveryEvent();
    const scanned = await scan();
    const everything = scanned.map((entry) => entry.content).join('');
    // Control: the scan does see what is stored (emails, user agents).
    expect(everything.includes('user@example.com')).toBe(true);
    expect(everything.includes('AuditTest/1.0')).toBe(true);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(7);
      for (const { name, content } of scanned) {
        // Whole secrets, and the signature part of tokens on its own.
        const signature = secret.split('.')[2];
        expect(content.includes(secret), `${name} holds a secret`).toBe(false);
        if (signature) expect(content.includes(signature)).toBe(false);
      }
    }
  });

  it('filters by user, type and time, and pages with cursors', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN });
    const admin = await app.signUp(ADMIN);
    const start = app.clock.now();
    const user = await app.signUp('paged@example.com');
    for (let i = 0; i < 4; i++) {
      app.clock.advanceSeconds(10);
      await app.login('paged@example.com', PASSWORD);
    }
    const filter = { userId: user.user.id, types: ['LOGIN_SUCCEEDED'] };
    const first = await auditEvents(admin.accessToken, { filter, first: 3 });
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await auditEvents(admin.accessToken, {
      filter,
      first: 3,
      after: first.pageInfo.endCursor,
    });
    expect(rest.edges).toHaveLength(1);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const all = [...first.edges, ...rest.edges].map((edge) => edge.node);
    expect(new Set(all.map((event) => event.id)).size).toBe(4);
    expect(all.every((event) => event.userId === user.user.id)).toBe(true);

    const window = await auditEvents(admin.accessToken, {
      filter: {
        since: new Date(start + 15_000).toISOString(),
        until: new Date(start + 35_000).toISOString(),
      },
    });
    expect(window.edges.map((edge) => edge.node.occurredAt)).toEqual([
      new Date(start + 30_000).toISOString(),
      new Date(start + 20_000).toISOString(),
    ]);
  });

  it.each([
    [{ first: 0 }, 'INVALID_PAGE_SIZE', 'first'],
    [{ first: 101 }, 'INVALID_PAGE_SIZE', 'first'],
    [{ after: 'bm90LWEtY3Vyc29y' }, 'INVALID_CURSOR', 'after'],
    [{ after: '!!' }, 'INVALID_CURSOR', 'after'],
    [
      { filter: { since: '2026-01-02T00:00:00.000Z', until: '2026-01-01T00:00:00.000Z' } },
      'INVALID_TIME_RANGE',
      'filter',
    ],
  ])('refuses %j with BAD_USER_INPUT', async (variables, reason, field) => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN });
    const admin = await app.signUp(ADMIN);
    const response = await app.graphql(
      'query ($filter: AuditEventFilter, $first: Int, $after: String) { auditEvents(filter: $filter, first: $first, after: $after) { pageInfo { hasNextPage } } }',
      { token: admin.accessToken, variables },
    );
    expect(firstError(response)).toEqual({ code: 'BAD_USER_INPUT', reason, field });
  });

  it('is for admins only', async () => {
    app = await createTestApp();
    const user = await app.signUp();
    const response = await app.graphql('{ auditEvents { pageInfo { hasNextPage } } }', {
      token: user.accessToken,
    });
    expect(firstError(response)).toEqual({ code: 'FORBIDDEN' });
  });

  it('forgets events past the retention period', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: ADMIN });
    await app.signUp('old@example.com');
    app.clock.advanceSeconds(3600);
    const admin = await app.signUp(ADMIN);
    // The old sign-up's SIGN_UP and EMAIL_VERIFICATION_SENT.
    expect(await purgeAuditEvents(app.deps.store.auditEvents, app.clock, 1800)).toBe(2);
    const page = await auditEvents(admin.accessToken);
    expect(page.edges.map((edge) => [edge.node.type, edge.node.userId])).toEqual([
      ['EMAIL_VERIFICATION_SENT', admin.user.id],
      ['SIGN_UP', admin.user.id],
    ]);
  });
});
