// Raw Argon2id rate: verifies PASSWORD against HASH (a hash the service itself stored, so the
// parameters are exactly the service's) with CONCURRENCY verifications in flight for SECONDS,
// and prints the count. No HTTP, GraphQL, database or tokens: only hashing.
//
// RUNNER=service runs them on the service's own Argon2 worker pool from dist/ (same threads,
// same priority as a login gets); RUNNER=libuv calls @node-rs/argon2 directly on the libuv
// thread pool at normal priority.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { verify } from '@node-rs/argon2';

const { HASH, PASSWORD, CONCURRENCY, SECONDS, RUNNER, ROOT } = process.env;
if (!HASH || !PASSWORD) throw new Error('HASH and PASSWORD must be set');

let runner = { verify, close: async () => undefined };
if (RUNNER === 'service') {
  const workers = join(ROOT, 'dist', 'auth', 'passwords', 'argon2-workers.js');
  const { createArgon2WorkerPool } = await import(pathToFileURL(workers).href);
  runner = createArgon2WorkerPool();
  // Start the threads before the clock runs, as a running service has them.
  await runner.verify(HASH, PASSWORD);
}

const deadline = performance.now() + Number(SECONDS) * 1000;
let verified = 0;
async function loop() {
  while (performance.now() < deadline) {
    if (!(await runner.verify(HASH, PASSWORD))) throw new Error('the password does not match');
    verified += 1;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: Number(CONCURRENCY) }, loop));
const elapsed = (performance.now() - start) / 1000;
await runner.close();
process.stdout.write(`${JSON.stringify({ verified, seconds: elapsed })}\n`);
