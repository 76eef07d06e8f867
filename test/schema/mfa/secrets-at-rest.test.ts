import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { codeNow, enrolTotp, logIn, verifyTotp } from '../../helpers/mfa.js';

// TOTP secrets at rest, on a real SQLite file: the database bytes never hold the secret, and a
// key rotation re-seals every secret so that the retired key can be dropped.

let app: TestApp | undefined;
let directory: string;
afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(directory, { recursive: true, force: true });
});

const K1 = `k1:${randomBytes(32).toString('base64')}`;
const K2 = `k2:${randomBytes(32).toString('base64')}`;

/** Every byte of the database: the main file and its write-ahead log. */
function databaseBytes(path: string): string {
  const parts = [path, `${path}-wal`].map((file) => {
    try {
      return readFileSync(file).toString('latin1');
    } catch {
      return '';
    }
  });
  return parts.join('');
}

describe('TOTP secrets at rest', () => {
  it('are not in the database bytes, in base32 or as raw bytes', async () => {
    directory = mkdtempSync(join(tmpdir(), 'mfa-at-rest-'));
    const path = join(directory, 'auth.db');
    app = await createTestApp({ DATABASE_URL: `file:${path}`, MFA_ENCRYPTION_KEYS: K1 });
    const { accessToken } = await app.signUp();
    const { secret } = await enrolTotp(app, accessToken);
    const bytes = databaseBytes(path);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes).toContain('v1.k1.'); // the sealed form is there
    expect(bytes).not.toContain(secret);
    expect(bytes).not.toContain(secret.toLowerCase());
    // The raw 20 bytes, decoded from base32.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const character of secret)
      bits += alphabet.indexOf(character).toString(2).padStart(5, '0');
    const raw = Buffer.from(bits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? []);
    expect(raw).toHaveLength(20);
    expect(bytes).not.toContain(raw.toString('latin1'));
  });

  it('survive mfa:rotate-key: re-sealed with the first key, the retired key can go', async () => {
    directory = mkdtempSync(join(tmpdir(), 'mfa-rotate-'));
    const path = join(directory, 'auth.db');
    app = await createTestApp({ DATABASE_URL: `file:${path}`, MFA_ENCRYPTION_KEYS: K1 });
    const { accessToken, user } = await app.signUp();
    const { secret } = await enrolTotp(app, accessToken);
    const clock = app.clock;
    await app.close();
    app = undefined;

    const rotated = await runCliInProcess(['mfa:rotate-key'], {
      DATABASE_URL: `file:${path}`,
      MFA_ENCRYPTION_KEYS: `${K2},${K1}`,
    });
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain('resealed           1');
    expect(databaseBytes(path)).not.toContain('v1.k1.');

    // Only k2 now: the secret still opens, and the code proves the factor.
    app = await createTestApp({ DATABASE_URL: `file:${path}`, MFA_ENCRYPTION_KEYS: K2 });
    app.clock.advanceMilliseconds(clock.now() - app.clock.now() + 30_000);
    const login = await logIn(app, user.email);
    const stepped = await verifyTotp(app, login.accessToken, codeNow(app, secret));
    expect(stepped.errors).toBeUndefined();
  });
});
