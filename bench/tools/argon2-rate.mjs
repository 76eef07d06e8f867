// Raw Argon2id rate: verifies PASSWORD against HASH (a hash the service itself stored, so the
// parameters are exactly the service's) with CONCURRENCY verifications in flight for SECONDS,
// on @node-rs/argon2 as the service uses it (the libuv thread pool), and prints the count.

import { verify } from '@node-rs/argon2';

const { HASH, PASSWORD, CONCURRENCY, SECONDS } = process.env;
if (!HASH || !PASSWORD) throw new Error('HASH and PASSWORD must be set');
const deadline = performance.now() + Number(SECONDS) * 1000;
let verified = 0;

async function loop() {
  while (performance.now() < deadline) {
    if (!(await verify(HASH, PASSWORD))) throw new Error('the password does not match the hash');
    verified += 1;
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: Number(CONCURRENCY) }, loop));
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(`${JSON.stringify({ verified, seconds: elapsed })}\n`);
