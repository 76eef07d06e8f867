import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseOptions } from '@node-rs/argon2';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARGON2_THREAD_NICENESS,
  createArgon2WorkerPool,
} from '../../../src/auth/passwords/argon2-workers.js';
import {
  ARGON2ID_PARAMETERS,
  createArgon2PasswordHasher,
} from '../../../src/auth/passwords/passwords.js';

/** Niceness of every thread of this process, from /proc (field 19 of each task's stat). */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('createArgon2WorkerPool', () => {
  const pool = createArgon2WorkerPool(2);
  const hasher = createArgon2PasswordHasher(pool);
  afterAll(() => pool.close());

  it('hashes with the given parameters and verifies the right password only', async () => {
    const hash = await pool.hash('correct horse', { ...ARGON2ID_PARAMETERS });
    expect(parseOptions(hash)).toMatchObject({ algorithm: 2, memoryCost: 19_456, timeCost: 2 });
    expect(await pool.verify(hash, 'correct horse')).toBe(true);
    expect(await pool.verify(hash, 'wrong horse')).toBe(false);
  });

  it('runs more jobs than it has threads, each with its own answer', async () => {
    const hash = await hasher.hash('password one');
    const answers = await Promise.all(
      ['password one', 'nope', 'password one', 'nope', 'password one'].map((password) =>
        hasher.verify(hash, password),
      ),
    );
    expect(answers).toEqual([true, false, true, false, true]);
  });

  it('rejects a hash that does not parse, which the hasher reports as a wrong password', async () => {
    await expect(pool.verify('not a hash', 'password')).rejects.toThrow();
    expect(await hasher.verify('not a hash', 'password')).toBe(false);
    expect(await hasher.verifyDummy('anything at all')).toBe(false);
  });

  it.skipIf(!existsSync('/proc/thread-self'))(
    'hashes on threads running at a lower priority than the event loop',
    async () => {
      await pool.verify(await pool.hash('x'.repeat(8), { ...ARGON2ID_PARAMETERS }), 'x');
      expect(threadNiceness()).toContain(ARGON2_THREAD_NICENESS);
      // The calling thread itself keeps its priority.
      const self = readFileSync('/proc/thread-self/stat', 'utf8');
      expect(Number(self.slice(self.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
    },
  );

  it('fails only the job of a crashed worker, and never hands a job another job’s answer', async () => {
    // A worker that dies (an uncaught error: Node emits error, then exit) on one password.
    const fragile = createArgon2WorkerPool(
      1,
      new URL('./crashing-argon2-worker.ts', import.meta.url),
    );
    try {
      const hash = await fragile.hash('right password', { ...ARGON2ID_PARAMETERS });
      const results = await Promise.allSettled([
        fragile.verify(hash, 'crash'),
        fragile.verify(hash, 'right password'),
        fragile.verify(hash, 'wrong password'),
        fragile.verify(hash, 'crash'),
        fragile.verify(hash, 'wrong password'),
        fragile.verify(hash, 'right password'),
      ]);
      expect(
        results.map((result) => (result.status === 'fulfilled' ? result.value : 'failed')),
      ).toEqual(['failed', true, false, 'failed', false, true]);
    } finally {
      await fragile.close();
    }
  });

  it('refuses work once closed', async () => {
    const closing = createArgon2WorkerPool(1);
    await closing.hash('warm up', { ...ARGON2ID_PARAMETERS });
    await closing.close();
    await expect(closing.verify('x', 'y')).rejects.toThrow('closed');
  });
});
