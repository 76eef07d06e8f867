// A login storm in its own process, so the harness's latency probe is not slowed by the load
// generator. Prints the run's summary as one JSON line.

import { runLogins } from '../lib/login-requests.mjs';

const { URL: url, ACCOUNTS, PASSWORD, CONNECTIONS, SECONDS } = process.env;
const run = await runLogins({
  url,
  accounts: ACCOUNTS.split(','),
  password: PASSWORD,
  connections: Number(CONNECTIONS),
  seconds: Number(SECONDS),
});
process.stdout.write(`${JSON.stringify(run)}\n`);
