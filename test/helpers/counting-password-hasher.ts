import {
  type Argon2Runner,
  threadPoolArgon2Runner,
} from '../../src/auth/passwords/argon2-workers.js';
import {
  createArgon2PasswordHasher,
  type PasswordHasher,
} from '../../src/auth/passwords/passwords.js';

/** Calls on the hasher, and the Argon2 computations beneath them. */
export interface PasswordWork {
  hash: number;
  verify: number;
  verifyDummy: number;
  argon2Hashes: number;
  argon2Verifications: number;
}

export interface CountingPasswordHasher extends PasswordHasher {
  readonly work: PasswordWork;
  resetWork(): void;
}

/** The production Argon2id hasher, counting its calls and the Argon2 runs they cost. */
export function createCountingPasswordHasher(): CountingPasswordHasher {
  const work: PasswordWork = {
    hash: 0,
    verify: 0,
    verifyDummy: 0,
    argon2Hashes: 0,
    argon2Verifications: 0,
  };
  const runner: Argon2Runner = {
    hash(password, options) {
      work.argon2Hashes++;
      return threadPoolArgon2Runner.hash(password, options);
    },
    verify(passwordHash, password) {
      work.argon2Verifications++;
      return threadPoolArgon2Runner.verify(passwordHash, password);
    },
    close: () => threadPoolArgon2Runner.close(),
  };
  const inner = createArgon2PasswordHasher(runner);
  const hasher: CountingPasswordHasher = {
    work,
    resetWork() {
      for (const key of Object.keys(work) as (keyof PasswordWork)[]) work[key] = 0;
    },
    hash(password) {
      work.hash++;
      return inner.hash(password);
    },
    verify(passwordHash, password) {
      work.verify++;
      return inner.verify(passwordHash, password);
    },
    verifyDummy(password) {
      work.verifyDummy++;
      return inner.verifyDummy(password);
    },
    needsRehash: (passwordHash) => inner.needsRehash(passwordHash),
  };
  // The dummy hash made up front is set-up, not work done by an operation.
  hasher.resetWork();
  return hasher;
}
