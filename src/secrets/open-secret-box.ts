import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecretBox, SECRET_KEY_BYTES, type SecretKey } from '../auth/factors/secret-box.js';
import type { SecretBox } from '../auth/ports/secret-box.js';
import { ConfigError } from '../config/environment.js';
import { type MfaKeysConfig, parseSecretKeyList } from '../config/mfa-keys.js';
import type { Logger } from '../logger.js';

// The key material behind the SecretBox port: the operator's ring, a key file generated beside
// an SQLite database, or a key in memory. Wired by main.ts and cli/ only.

/** The id of a generated key, as the file writes it: the file is a valid MFA_ENCRYPTION_KEYS. */
const GENERATED_KEY_ID = 'local';

/**
 * The secret box the configuration describes. For `generated`, reads the key file, or creates
 * it (mode 0600) at the first start and logs that it did: of several processes starting at
 * once, one creates it and the others read that one's key.
 *
 * @throws ConfigError when the key file is unusable: unreadable, malformed, or open to group or
 *   others.
 */
export async function openSecretBox(
  config: MfaKeysConfig,
  logger: Pick<Logger, 'warn'>,
): Promise<SecretBox> {
  switch (config.kind) {
    case 'supplied':
      return createSecretBox(config.keys);
    case 'memory':
      // Lives as long as the `:memory:` database whose secrets it seals.
      return createSecretBox([{ id: GENERATED_KEY_ID, key: randomBytes(SECRET_KEY_BYTES) }]);
    case 'generated':
      return createSecretBox(await readOrCreateKeyFile(config.path, logger));
    case 'unavailable':
      throw config.error;
  }
}

async function readOrCreateKeyFile(
  path: string,
  logger: Pick<Logger, 'warn'>,
): Promise<SecretKey[]> {
  const existing = await readKeyFile(path);
  if (existing !== null) return existing;
  if (await createKeyFile(path)) {
    logger.warn(
      'generated the MFA encryption key beside the database: back it up with the database, ' +
        'without it no TOTP secret can be read',
      { path },
    );
  }
  // Read back, whoever won: this process's key, or the one a concurrent start wrote first.
  const created = await readKeyFile(path);
  if (created === null) throw keyFileError(path, 'vanished right after it was created');
  return created;
}

/** The keys in the file; null when there is no file. */
async function readKeyFile(path: string): Promise<SecretKey[] | null> {
  let text: string;
  let mode: number;
  try {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw keyFileError(path, 'is not a regular file');
      mode = stats.mode;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    if (error instanceof ConfigError) throw error;
    throw keyFileError(path, `cannot be read (${errorCode(error) ?? 'unreadable'})`);
  }
  // Whoever can read the file can read every TOTP secret in a copy of the database.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw keyFileError(path, 'is open to group or others; run chmod 600 on it');
  }
  const parsed = parseSecretKeyList(text.trim());
  if (!parsed.ok) throw keyFileError(path, `is malformed: ${parsed.failure.problem}`);
  return parsed.value;
}

/**
 * Writes a new key to a private temporary file, then links it to `path`, which fails if the
 * path exists: the key file appears whole or not at all, and a file already there (another
 * process's key) is never replaced. False when another process's file was there first.
 */
async function createKeyFile(path: string): Promise<boolean> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const key = randomBytes(SECRET_KEY_BYTES).toString('base64');
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(`${GENERATED_KEY_ID}:${key}\n`, 'utf8');
      // On disk before it is used: a key lost in a crash would make its secrets unreadable.
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    }
    await syncDirectory(directory);
    return true;
  } finally {
    await unlink(temporary);
  }
}

/** Makes the new directory entry durable too (POSIX); Windows cannot open a directory. */
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function keyFileError(path: string, problem: string): ConfigError {
  return new ConfigError(
    'MFA_ENCRYPTION_KEYS',
    `unset, so TOTP secrets are sealed with the key generated in this file, which ${problem} ` +
      '(or supply MFA_ENCRYPTION_KEYS with the key ring)',
    path,
  );
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}
