import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBoxError } from '../../src/auth/ports/secret-box.js';
import { ConfigError } from '../../src/config/environment.js';
import { generatedMfaKeyPath, readMfaKeys } from '../../src/config/mfa-keys.js';
import { openSecretBox } from '../../src/secrets/open-secret-box.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';

const SECRET = 'JBSWY3DPEHPK3PXP';
const FACTOR = 'factor-1';

let dir: string;
let keyPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-secret-box-'));
  keyPath = generatedMfaKeyPath(join(dir, 'data', 'auth.db'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(open: () => Promise<unknown>): Promise<ConfigError> {
  const error = await open().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (error instanceof ConfigError) return error;
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

describe('openSecretBox: a key generated beside the SQLite file', () => {
  it('creates the key file with mode 0600 in the database folder and says so in the log', async () => {
    const logger = createRecordingLogger();
    const box = await openSecretBox({ kind: 'generated', path: keyPath }, logger);

    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^local:[A-Za-z0-9+/]{43}=\n$/);
    expect(readdirSync(join(dir, 'data'))).toEqual(['auth.db.mfa-key']);
    expect(logger.entries).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(/generated the MFA encryption key/),
        fields: { path: keyPath },
      },
    ]);
    expect(box.open(box.seal(SECRET, FACTOR), FACTOR)).toBe(SECRET);
  });

  it('reuses the file at the next start, silently: what one sealed, the next opens', async () => {
    const sealed = (
      await openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger())
    ).seal(SECRET, FACTOR);
    const before = readFileSync(keyPath, 'utf8');

    const logger = createRecordingLogger();
    const reopened = await openSecretBox({ kind: 'generated', path: keyPath }, logger);
    expect(reopened.open(sealed, FACTOR)).toBe(SECRET);
    expect(reopened.isSealedWithCurrentKey(sealed)).toBe(true);
    expect(readFileSync(keyPath, 'utf8')).toBe(before);
    expect(logger.entries).toEqual([]);
  });

  it('settles concurrent first starts on one key', async () => {
    const logger = createRecordingLogger();
    const boxes = await Promise.all(
      Array.from({ length: 8 }, () => openSecretBox({ kind: 'generated', path: keyPath }, logger)),
    );
    expect(logger.entries).toHaveLength(1);
    const sealed = boxes.map((box) => box.seal(SECRET, FACTOR));
    for (const box of boxes) {
      for (const value of sealed) expect(box.open(value, FACTOR)).toBe(SECRET);
    }
    // No temporary file is left behind.
    expect(readdirSync(join(dir, 'data'))).toEqual(['auth.db.mfa-key']);
  });

  it('writes a file that is a valid MFA_ENCRYPTION_KEYS, for moving to supplied keys', async () => {
    const box = await openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger());
    const supplied = readMfaKeys(
      { MFA_ENCRYPTION_KEYS: readFileSync(keyPath, 'utf8') },
      { kind: 'sqlite', path: ':memory:', description: ':memory:' },
      true,
    );
    const moved = await openSecretBox(supplied, createRecordingLogger());
    expect(moved.open(box.seal(SECRET, FACTOR), FACTOR)).toBe(SECRET);
  });

  it('refuses a key file that group or others may read or write', async () => {
    await openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger());
    for (const mode of [0o640, 0o604, 0o620, 0o644]) {
      chmodSync(keyPath, mode);
      const error = await refusal(() =>
        openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger()),
      );
      expect(error.variable).toBe('MFA_ENCRYPTION_KEYS');
      expect(error.message).toContain(keyPath);
      expect(error.message).toMatch(/open to group or others; run chmod 600/);
    }
    chmodSync(keyPath, 0o400);
    await expect(
      openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger()),
    ).resolves.toBeDefined();
  });

  it('refuses a malformed key file rather than replacing it', async () => {
    mkdirSync(join(dir, 'data'));
    const short = randomBytes(16).toString('base64');
    writeFileSync(keyPath, `local:${short}\n`, { mode: 0o600 });
    const error = await refusal(() =>
      openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger()),
    );
    expect(error.message).toMatch(/is malformed: the key of local is 16 bytes, not 32/);
    expect(error.message).not.toContain(short);
    expect(readFileSync(keyPath, 'utf8')).toBe(`local:${short}\n`);
  });

  it('refuses a key path that is not a regular file', async () => {
    mkdirSync(keyPath, { recursive: true });
    const error = await refusal(() =>
      openSecretBox({ kind: 'generated', path: keyPath }, createRecordingLogger()),
    );
    expect(error.message).toMatch(/is not a regular file/);
  });
});

describe('openSecretBox: other key sources', () => {
  it('keeps a key in memory for a :memory: database, one per opening', async () => {
    const logger = createRecordingLogger();
    const box = await openSecretBox({ kind: 'memory' }, logger);
    const sealed = box.seal(SECRET, FACTOR);
    expect(box.open(sealed, FACTOR)).toBe(SECRET);
    const other = await openSecretBox({ kind: 'memory' }, logger);
    expect(() => other.open(sealed, FACTOR)).toThrow(SecretBoxError);
    expect(readdirSync(dir)).toEqual([]);
    expect(logger.entries).toEqual([]);
  });

  it('uses the supplied ring: the first key seals, the others open', async () => {
    const k1 = { id: 'k1', key: randomBytes(32) };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const old = await openSecretBox(
      { kind: 'supplied', variable: 'MFA_ENCRYPTION_KEYS', keys: [k1] },
      createRecordingLogger(),
    );
    const ring = await openSecretBox(
      { kind: 'supplied', variable: 'MFA_ENCRYPTION_KEYS', keys: [k2, k1] },
      createRecordingLogger(),
    );
    expect(ring.open(old.seal(SECRET, FACTOR), FACTOR)).toBe(SECRET);
    expect(ring.seal(SECRET, FACTOR).startsWith('v1.k2.')).toBe(true);
  });
});
