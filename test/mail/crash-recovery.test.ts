import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import { freePort } from '../helpers/free-port.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  runOnServer,
  testDatabaseUrl,
  urlForDatabase,
} from '../helpers/postgres.js';
import { post, startListening, stop } from '../helpers/service-process.js';
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp-peer.js';
import { testStoreKind } from '../helpers/store.js';

// Issue 13, in real processes: a mail committed but not yet sent survives SIGKILL and goes out
// after a restart; meanwhile an SMTP outage fails no request, /ready stays 200, and /metrics
// shows the queue.

const dir = mkdtempSync(join(tmpdir(), 'auth-mail-crash-'));
let databaseUrl = `file:${join(dir, 'auth.db')}`;
let dropDatabase: () => Promise<void> = async () => {};

beforeAll(async () => {
  const server = testDatabaseUrl();
  if (testStoreKind() !== 'postgres' || server === null) return;
  const name = randomDatabaseName('crash');
  await runOnServer(server, `create database ${quoteIdentifier(name)}`);
  databaseUrl = urlForDatabase(server, name);
  dropDatabase = () => runOnServer(server, `drop database ${quoteIdentifier(name)} with (force)`);
});
afterAll(async () => {
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

/** The sum of a metric's series (all its labels) on /metrics. */
async function metricValue(origin: string, name: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe(`${testStoreKind()}: mail across a crash`, { timeout: 90_000 }, () => {
  let peer: SmtpPeer | undefined;
  afterAll(() => peer?.close());

  it('SMTP up: a mail reaches the server within 5 s of the request that queued it', async () => {
    const live = await startSmtpPeer();
    const running = await startListening({
      DATABASE_URL: databaseUrl,
      ...TEST_MFA_KEYS,
      AUTH_ISSUER: 'http://auth.test',
      AUTH_AUDIENCE: 'http://auth.test',
      SMTP_URL: `smtp://127.0.0.1:${live.port}`,
    });
    try {
      const started = Date.now();
      await post(running.url, 'mutation { requestPasswordReset(email: "nobody-yet@example.com") }');
      await post(
        running.url,
        'mutation { signUp(input: { email: "prompt@example.com", password: "password1234" }) { restrictions } }',
      );
      await waitFor(() => live.received.length > 0, 5_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(live.received.map((mail) => mail.subject)).toEqual(['Verify your email address']);
    } finally {
      expect(await stop(running.child)).toBe(0);
      await live.close();
    }
  });

  it('SMTP down: the request succeeds, /ready is 200; after SIGKILL and a restart the mail arrives', async () => {
    const smtpPort = await freePort(); // nothing listens there yet: the mail server is down
    const env = {
      DATABASE_URL: databaseUrl,
      ...TEST_MFA_KEYS,
      AUTH_ISSUER: 'http://auth.test',
      AUTH_AUDIENCE: 'http://auth.test',
      PUBLIC_URL: 'https://auth.example.com',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'Auth <auth@example.com>',
      SMTP_TIMEOUT: '1s',
    };
    const first = await startListening(env);
    const origin = new URL(first.url).origin;
    const signedUp = await post(
      first.url,
      'mutation { signUp(input: { email: "crash@example.com", password: "password1234" }) { restrictions } }',
    );
    expect(signedUp).toEqual({ data: { signUp: { restrictions: [] } } });
    // The outbox absorbs the outage: the service stays ready, the mail waits and is retried.
    expect((await fetch(`${origin}/ready`)).status).toBe(200);
    await waitFor(async () => (await metricValue(origin, 'auth_mail_retried_total')) >= 1, 10_000);
    expect(first.stdout()).toContain('"msg":"mail not sent; retrying"');
    expect(await metricValue(origin, 'auth_mail_outbox_pending')).toBe(1);
    expect((await fetch(`${origin}/ready`)).status).toBe(200);
    // The log line of a failed attempt names the mail, never its link.
    expect(first.stdout()).not.toContain('token=');

    const killed = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await killed;

    peer = await startSmtpPeer(smtpPort);
    const second = await startListening(env);
    try {
      await waitFor(() => (peer?.received.length ?? 0) > 0, 30_000);
      const [mail] = peer.received;
      expect(mail?.subject).toBe('Verify your email address');
      expect(mail?.text).toMatch(
        /https:\/\/auth\.example\.com\/verify-email\?token=[A-Za-z0-9_-]{43}/,
      );
      const secondOrigin = new URL(second.url).origin;
      await waitFor(
        async () => (await metricValue(secondOrigin, 'auth_mail_outbox_pending')) === 0,
        5_000,
      );
      const metrics = await (await fetch(`${secondOrigin}/metrics`)).text();
      expect(metrics).toContain('auth_mail_sent_total{kind="verify_email"} 1');
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
    expect(peer.received).toHaveLength(1);
  });
});
