import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { hash, type Options, verify } from '@node-rs/argon2';
import type { Argon2Answer, Argon2Job, Argon2Task, Argon2WorkerData } from './argon2-jobs.js';
import { startWorkerScript } from './worker-script.js';

/** Where Argon2 runs. Either way the event loop only waits; it never computes a hash itself. */
export interface Argon2Runner {
  hash(password: string, options: Options): Promise<string>;
  /** Resolves false for a wrong password; rejects for a hash that does not parse. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  close(): Promise<void>;
}

/** @node-rs/argon2 on the libuv thread pool, at normal priority: the default, and for tests. */
export const threadPoolArgon2Runner: Argon2Runner = Object.freeze<Argon2Runner>({
  hash: (password, options) => hash(password, options),
  verify: (passwordHash, password) => verify(passwordHash, password),
  close: async () => undefined,
});

/**
 * Niceness of the hashing threads (Linux). Hashing is the one CPU-bound job the service has;
 * at a lower priority it still takes every idle cycle, but an HTTP request that wakes the event
 * loop gets the CPU at once instead of queueing behind a login storm.
 */
export const ARGON2_THREAD_NICENESS = 10;

/** The worker's entry: compiled beside this module in dist/, its TypeScript source in src/. */
export const ARGON2_WORKER_SCRIPT = new URL('./argon2-worker.js', import.meta.url);

interface Pending {
  readonly job: Argon2Task;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker | null;
  busy: Pending | null;
  /** The id of the job `busy` holds: an answer must carry it to settle that job. */
  busyId: number;
}

/**
 * Argon2 on `size` dedicated worker threads at {@link ARGON2_THREAD_NICENESS} (default: one per
 * CPU). Jobs beyond `size` wait in order. Workers start on first use and are unreferenced while
 * idle, so an idle pool never keeps the process alive.
 */
export function createArgon2WorkerPool(
  size = availableParallelism(),
  /** The worker's entry; only tests pass another (one that crashes on purpose). */
  workerScript: URL = ARGON2_WORKER_SCRIPT,
): Argon2Runner {
  const workerData: Argon2WorkerData = { niceness: ARGON2_THREAD_NICENESS };
  const slots: Slot[] = Array.from({ length: Math.max(1, size) }, () => ({
    worker: null,
    busy: null,
    busyId: -1,
  }));
  const queue: Pending[] = [];
  let nextId = 0;
  let closed = false;

  function start(slot: Slot): Worker {
    const worker = startWorkerScript(workerScript, workerData);
    // Every handler first checks that this worker still owns the slot and, for answers, that
    // the answer is for the job the slot holds: a replaced worker (after an error, Node also
    // emits exit) must never settle, or fail, the job of its successor.
    worker.on('message', (answer: Argon2Answer) => {
      const pending = slot.busy;
      if (slot.worker !== worker || pending === null || answer.id !== slot.busyId) return;
      slot.busy = null;
      if (answer.ok) pending.resolve(answer.value);
      else pending.reject(new Error(answer.message));
      dispatch();
    });
    worker.on('error', (error) => fail(slot, worker, error));
    worker.on('exit', (code) =>
      fail(slot, worker, new Error(`Argon2 worker exited with code ${code}`)),
    );
    return worker;
  }

  /** A dead worker fails only the job it held; the next job starts a new one. */
  function fail(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    void worker.terminate();
    const pending = slot.busy;
    slot.busy = null;
    pending?.reject(error);
    dispatch();
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (slot.busy === null) slot.worker?.unref();
    }
    for (;;) {
      const slot = slots.find((candidate) => candidate.busy === null);
      if (slot === undefined) return;
      const pending = queue.shift();
      if (pending === undefined) return;
      slot.worker ??= start(slot);
      slot.worker.ref();
      slot.busy = pending;
      slot.busyId = nextId++;
      const job: Argon2Job = { id: slot.busyId, ...pending.job };
      slot.worker.postMessage(job);
    }
  }

  function run(job: Argon2Task): Promise<string | boolean> {
    if (closed) return Promise.reject(new Error('The Argon2 worker pool is closed.'));
    return new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      dispatch();
    });
  }

  return {
    async hash(password, options) {
      const value = await run({ op: 'hash', password, options });
      if (typeof value !== 'string')
        throw new Error('An Argon2 worker answered a hash job wrongly.');
      return value;
    },
    async verify(passwordHash, password) {
      const value = await run({ op: 'verify', passwordHash, password });
      if (typeof value !== 'boolean')
        throw new Error('An Argon2 worker answered a verify job wrongly.');
      return value;
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('Argon2 pool closed.'));
      // Referenced again, or an idle (unreferenced) worker's exit would not keep the loop alive
      // long enough for the returned promise to settle.
      await Promise.all(
        slots.map((slot) => {
          slot.worker?.ref();
          return slot.worker?.terminate();
        }),
      );
    },
  };
}
