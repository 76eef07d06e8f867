// A test-only Argon2 worker: the real one, except that it dies (an uncaught error: Node emits
// error, then exit) on a job for the password 'crash', instead of answering it.
import { parentPort } from 'node:worker_threads';
import { type Argon2Job, answerArgon2Job } from '../../../src/auth/passwords/argon2-jobs.js';

const port = parentPort;
if (port === null) throw new Error('crashing-argon2-worker.ts runs only as a worker thread.');
port.on('message', function answerOrCrash(job: Argon2Job) {
  if (job.password === 'crash') {
    setImmediate(() => {
      throw new Error('boom');
    });
    return;
  }
  port.postMessage(answerArgon2Job(job));
});
