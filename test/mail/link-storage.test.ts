import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { captureMail, linkTokenOf } from '../helpers/mail.js';
import { dumpPostgresTestStore, testStoreKind } from '../helpers/store.js';

// Issue 13: a link token is stored only as its SHA-256; the link in a mail's body is erased
// from the outbox once the mail is sent.

let app: TestApp;
let folder: string | null = null;
afterEach(async () => {
  await app.close();
  if (folder !== null) rmSync(folder, { recursive: true, force: true });
  folder = null;
});

async function openAppWithScan(): Promise<() => Promise<string>> {
  if (testStoreKind() === 'postgres') {
    app = await createTestApp();
    const { store } = app.deps;
    return () => dumpPostgresTestStore(store);
  }
  const dir = await mkdtemp(join(tmpdir(), 'link-storage-'));
  folder = dir;
  app = await createTestApp({ DATABASE_URL: `file:${join(dir, 'auth.db')}` });
  // Every row of every table, as SQL sees it. The files' bytes are another matter: SQLite keeps
  // an overwritten body in WAL frames and free pages until they are reused (SECURITY.md).
  return async () => {
    const db = new Database(join(dir, 'auth.db'), { readonly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
        name: string;
      }[];
      return tables
        .map(({ name }) => JSON.stringify(db.prepare(`select * from "${name}"`).all()))
        .join('\n');
    } finally {
      db.close();
    }
  };
}

describe(`${testStoreKind()}: link tokens at rest`, () => {
  it('keeps only the hash of a token, and no link once its mail is sent', async () => {
    const scan = await openAppWithScan();
    const mail = captureMail(app);
    await app.signUp('stored@example.com');
    // Control: while the mail waits, its body (with the link) is in the outbox, and the scan sees it.
    expect(await scan()).toContain('/verify-email?token=');
    const [verification] = await mail.deliverTo('stored@example.com');
    const token = linkTokenOf(verification);
    const hash = createHash('sha256').update(token).digest('base64url');
    const content = await scan();
    expect(content).toContain('stored@example.com'); // control: the scan sees rows
    expect(content).toContain(hash);
    expect(content).not.toContain(token);
    expect(content).not.toContain('token=');
  });
});
