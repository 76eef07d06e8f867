import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp-peer.js';

// Issue 13: mail:test and mail:outbox.

let dir: string;
let database: string;
let peer: SmtpPeer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auth-cli-mail-'));
  database = `file:${join(dir, 'auth.db')}`;
  peer = await startSmtpPeer();
});
afterEach(async () => {
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mail:test', () => {
  it('sends a test mail through SMTP_URL at once, with text and HTML parts', async () => {
    const run = await runCliInProcess(['mail:test', '--to', 'Ops@Example.com'], {
      DATABASE_URL: database,
      SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
      MAIL_FROM: 'Auth <auth@example.com>',
    });
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out[0]).toBe(`sent to ops@example.com through smtp://127.0.0.1:${peer.port}`);
    const [mail] = peer.received;
    expect(mail?.subject).toBe('Test mail');
    expect(mail?.to).toMatchObject({ text: 'ops@example.com' });
    expect(mail?.from?.value).toEqual([{ name: 'Auth', address: 'auth@example.com' }]);
    expect(mail?.messageId).toMatch(/@example\.com>$/);
    expect(mail?.html).toContain('test mail');
  });

  it('says why when the mail server does not answer, exit 1', async () => {
    await peer.close();
    const run = await runCliInProcess(['mail:test', '--to', 'ops@example.com'], {
      DATABASE_URL: database,
      SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
      SMTP_TIMEOUT: '1s',
    });
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^not sent: /);
    peer = await startSmtpPeer();
  });

  it('refuses a missing or malformed --to before anything else (usage, exit 2)', async () => {
    for (const args of [[], ['--to', 'not-an-address']]) {
      expect((await runCliInProcess(['mail:test', ...args], { DATABASE_URL: database })).code).toBe(
        2,
      );
    }
  });
});

describe('mail:outbox', () => {
  it('lists pending mails with counts, and never a body or a link', async () => {
    const env = { DATABASE_URL: database };
    await runCliInProcess(['user:create', 'u@example.com'], env, { input: 'a long passphrase' });
    await runCliInProcess(['user:send-reset', 'u@example.com'], env);
    const run = await runCliInProcess(['mail:outbox'], env);
    expect(run.code).toBe(0);
    expect(run.out[0]).toBe('pending 1, dead 0, sent 0, dropped 0');
    expect(run.out[1]).toMatch(/^pending reset_password to u@example\.com \(\S+\) queued /);
    const json = await runCliInProcess(['mail:outbox', '--json'], env);
    const listed = JSON.parse(json.out[0] ?? '{}') as { pending: Record<string, unknown>[] };
    expect(Object.keys(listed.pending[0] ?? {})).not.toContain('payload');
    expect(json.out.join('\n')).not.toMatch(/token=/);
  });
});
