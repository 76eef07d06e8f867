// The entry of each Argon2 worker thread that `createArgon2WorkerPool` starts: it lowers its
// own priority, then hashes one job at a time, synchronously, and answers each with its id.
import { parentPort, workerData } from 'node:worker_threads';
import {
  type Argon2Job,
  type Argon2WorkerData,
  answerArgon2Job,
  lowerThreadPriority,
} from './argon2-jobs.js';

const port = parentPort;
if (port === null) throw new Error('argon2-worker.ts runs only as a worker thread.');
lowerThreadPriority((workerData as Argon2WorkerData).niceness);
port.on('message', function answer(job: Argon2Job) {
  port.postMessage(answerArgon2Job(job));
});
