import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCliInProcess } from '../helpers/cli.js';
import { captureMail } from '../helpers/mail.js';
import { enrolTotp, logIn, reasonOf } from '../helpers/mfa.js';

// `mfa:reset`: the operator's way out for a user who lost the phone and the recovery codes.

let app: TestApp | undefined;
let directory: string;
afterEach(async () => {
  await app?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('mfa:reset', () => {
  it('removes the factors and recovery codes, ends the sessions, and is audited', async () => {
    directory = mkdtempSync(join(tmpdir(), 'mfa-reset-'));
    const env = { DATABASE_URL: `file:${join(directory, 'auth.db')}` };
    app = await createTestApp(env);
    const { accessToken, user } = await app.signUp('lost-phone@example.com');
    const { pair } = await enrolTotp(app, accessToken);
    const waiting = await logIn(app, user.email);
    expect(waiting.restrictions).toEqual(['MFA_REQUIRED']);

    const run = await runCliInProcess(['mfa:reset', '--user', user.email], env, {
      clock: app.clock,
    });
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out).toEqual(['lost-phone@example.com: second factors removed, 2 session(s) ended']);

    const ended = await app.graphql('{ me { id } }', { token: pair.accessToken });
    expect(reasonOf(ended)).toEqual({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    const fresh = await logIn(app, user.email);
    expect(fresh.restrictions).toEqual([]);
    const me = await app.graphql('{ me { mfaEnabled recoveryCodesRemaining } }', {
      token: fresh.accessToken,
    });
    expect(me.data).toEqual({ me: { mfaEnabled: false, recoveryCodesRemaining: 0 } });
    const notice = (await captureMail(app).deliverTo(user.email)).find(
      (sent) => sent.subject === 'A second factor was removed from your account',
    );
    expect(notice?.text).toContain('The operator of this service removed every second factor');
    const events = await app.deps.store.auditEvents.list({ types: ['MFA_REMOVED'] }, 10);
    expect(events).toMatchObject([
      { userId: user.id, detail: 'OPERATOR_RESET', actorId: null, revokedSessions: 2 },
    ]);
  });

  it('says so for an unknown user, and needs --user', async () => {
    directory = mkdtempSync(join(tmpdir(), 'mfa-reset-'));
    const env = { DATABASE_URL: `file:${join(directory, 'auth.db')}` };
    const unknown = await runCliInProcess(['mfa:reset', '--user', 'nobody@example.com'], env);
    expect(unknown).toMatchObject({ code: 1, err: ['no user nobody@example.com'] });
    const missing = await runCliInProcess(['mfa:reset'], env);
    expect(missing.code).toBe(2);
  });
});
