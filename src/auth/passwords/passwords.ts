import { randomBytes } from 'node:crypto';
import { type Algorithm, parseOptions } from '@node-rs/argon2';
import type { InputFailure } from '../../errors.js';
import { type Argon2Runner, threadPoolArgon2Runner } from './argon2-workers.js';

/** Argon2id with the OWASP-recommended minimum: 19 MiB of memory, 2 passes, 1 lane. */
export const ARGON2ID_PARAMETERS = {
  algorithm: 2 satisfies Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Checks the length policy (8 to 128 characters, no composition rules) on the NFKC form.
 * Oversized input is refused on its raw length first, so a megabyte never reaches the hasher.
 */
export function checkPasswordPolicy(password: string): InputFailure | null {
  if (isPasswordOversized(password)) return { reason: 'PASSWORD_TOO_LONG', field: 'password' };
  const length = [...normalisePassword(password)].length;
  if (length < PASSWORD_MIN_LENGTH) return { reason: 'PASSWORD_TOO_SHORT', field: 'password' };
  if (length > PASSWORD_MAX_LENGTH) return { reason: 'PASSWORD_TOO_LONG', field: 'password' };
  return null;
}

/**
 * A cheap bound on the raw string, checked before normalisation or hashing touches it. Four
 * UTF-16 units per allowed character leaves room for surrogate pairs and combining marks.
 */
export function isPasswordOversized(password: string): boolean {
  return password.length > PASSWORD_MAX_LENGTH * 4;
}

/** The same password typed on different keyboards and platforms hashes the same way. */
function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

export interface PasswordHasher {
  /** Hashes off the event loop (worker threads in the server, the libuv pool in tests). */
  hash(password: string): Promise<string>;
  /** Constant-time comparison inside Argon2; false for a wrong password or a malformed hash. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Verifies against a hash of a random secret and always resolves false. Used for unknown
   * emails so their answer and timing match a wrong password for a real account.
   */
  verifyDummy(password: string): Promise<false>;
  /** True when a stored hash was made with other parameters and should be replaced. */
  needsRehash(passwordHash: string): boolean;
}

/**
 * `runner` decides where hashing runs: the libuv thread pool by default, or the low-priority
 * worker pool of `createArgon2WorkerPool` (what `main.ts` uses).
 */
export function createArgon2PasswordHasher(
  runner: Argon2Runner = threadPoolArgon2Runner,
): PasswordHasher {
  const options = { ...ARGON2ID_PARAMETERS };
  // Ready at once, so even the first unknown-email login costs one verify and no extra hash.
  const dummyHash = unmatchableHash(options);

  async function verifyHash(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await runner.verify(passwordHash, normalisePassword(password));
    } catch {
      // A hash that does not parse verifies nothing; it must not become a 500.
      return false;
    }
  }

  return {
    hash: (password) => runner.hash(normalisePassword(password), options),
    verify: verifyHash,
    async verifyDummy(password) {
      await verifyHash(dummyHash, password);
      return false;
    },
    needsRehash(passwordHash) {
      const current = parseOptions(passwordHash);
      return (
        current.algorithm !== options.algorithm ||
        current.memoryCost !== options.memoryCost ||
        current.timeCost !== options.timeCost ||
        current.parallelism !== options.parallelism
      );
    },
  };
}

/**
 * An Argon2id PHC string with these parameters, a random salt and a random digest. Verifying a
 * password against it costs what verifying a real hash of these parameters costs (Argon2
 * recomputes the digest from the parameters and the salt), and no password matches it. It is
 * made without hashing, so creating the hasher runs no Argon2 and starts no worker thread: a
 * start that sees no login never starts one (see BENCHMARKS.md, section 10).
 */
function unmatchableHash(options: typeof ARGON2ID_PARAMETERS): string {
  const { memoryCost, timeCost, parallelism } = options;
  // PHC strings carry the salt and digest in base64 without padding.
  const b64 = (bytes: number): string => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$${b64(16)}$${b64(32)}`;
}
