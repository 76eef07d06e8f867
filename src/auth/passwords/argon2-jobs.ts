import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { hashSync, type Options, verifySync } from '@node-rs/argon2';

/** What a worker computes. */
export type Argon2Task =
  | { readonly op: 'hash'; readonly password: string; readonly options: Options }
  | { readonly op: 'verify'; readonly passwordHash: string; readonly password: string };

/** A task as the pool posts it to a worker; `id` comes back on the answer. */
export type Argon2Job = Argon2Task & { readonly id: number };

/** A worker's answer: the hash, the verdict, or the message of what Argon2 threw. */
export type Argon2Answer =
  | { readonly id: number; readonly ok: true; readonly value: string | boolean }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** What the pool hands each worker as `workerData`. */
export interface Argon2WorkerData {
  readonly niceness: number;
}

/**
 * Runs one job synchronously, on the calling (worker) thread. Whatever Argon2 throws (a hash
 * that does not parse) becomes a failed answer, which rejects that job's promise in the pool.
 */
export function answerArgon2Job(job: Argon2Job): Argon2Answer {
  try {
    const value =
      job.op === 'hash'
        ? hashSync(job.password, job.options)
        : verifySync(job.passwordHash, job.password);
    return { id: job.id, ok: true, value };
  } catch (error) {
    return {
      id: job.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Lowers the calling thread's priority to `niceness` (Linux: its TID is in /proc/thread-self).
 * Elsewhere the thread keeps the default priority.
 */
export function lowerThreadPriority(niceness: number): void {
  if (!existsSync('/proc/thread-self')) return;
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, niceness);
}
