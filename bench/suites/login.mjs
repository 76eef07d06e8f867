// 3. Logins per second as a ratio to the raw Argon2id verification rate at the service's own
// parameters, the p99 of protected queries during a login storm against idle p99, and the
// latency of a login for an unknown email against a wrong password for a real account.

import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runTool } from '../lib/child-json.mjs';
import { postJson } from '../lib/http-post.mjs';
import { probeLatency } from '../lib/latency-probe.mjs';
import { assertNoFailures } from '../lib/load.mjs';
import { loginBody, runLogins } from '../lib/login-requests.mjs';
import { PASSWORD, ROOT, signUp, startService } from '../lib/service.mjs';
import { median, orderForRound, summarise } from '../lib/stats.mjs';

const TOOLS = fileURLToPath(new URL('../tools/', import.meta.url));
const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
/** Requests per second of the latency probe: a steady trickle of protected queries. */
const PROBE_RATE = 200;
/** Logins in flight, for the service and for the raw Argon2 loop alike. */
const LOGIN_CONCURRENCY = 8;
const ACCOUNTS = 16;

export async function measureLogin(options, workDir) {
  const { seconds, rounds, warmupSeconds } = options;
  const dbPath = join(workDir, 'login.db');
  const service = await startService({ dbPath, nodeArgs: options.serviceNodeArgs });
  try {
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `login${i}@example.com`);
    const pairs = [];
    for (const email of accounts) pairs.push(await signUp(service.url, email));
    const bearers = pairs.map((pair) => `Bearer ${pair.accessToken}`);
    const hash = readPasswordHash(dbPath, accounts[0]);

    const logins = (s) =>
      runLogins({
        url: service.url,
        accounts,
        password: PASSWORD,
        connections: LOGIN_CONCURRENCY,
        seconds: s,
      });
    const argon2 = (runner) => async (s) => {
      const { verified, seconds: elapsed } = await runTool(
        `argon2-rate (${runner})`,
        join(TOOLS, 'argon2-rate.mjs'),
        {
          HASH: hash,
          PASSWORD,
          CONCURRENCY: String(LOGIN_CONCURRENCY),
          SECONDS: String(s),
          RUNNER: runner,
          ROOT,
        },
      );
      return { requestsPerSecond: verified / elapsed };
    };
    const probe = () =>
      probeLatency({
        url: service.url,
        body: ME_QUERY,
        headerPool: bearers,
        rate: PROBE_RATE,
        seconds,
        verify: (text) => text.startsWith('{"data":{"me":{"id":"'),
      });
    const storm = async () => {
      const stormProcess = runTool('login-storm', join(TOOLS, 'login-storm.mjs'), {
        URL: service.url,
        ACCOUNTS: accounts.join(','),
        PASSWORD,
        CONNECTIONS: String(LOGIN_CONCURRENCY),
        SECONDS: String(seconds + 1),
      });
      await sleep(500);
      const probed = await probe();
      const stormRun = await stormProcess;
      assertNoFailures('login storm', stormRun);
      return { ...probed, stormLoginsPerSecond: stormRun.requestsPerSecond };
    };

    assertNoFailures('login warm-up', await logins(warmupSeconds));
    assertNoFailures('probe warm-up', await probe());

    const rate = [];
    const latency = [];
    const rateSubjects = [
      { name: 'argon2', run: argon2('service') },
      { name: 'argon2-libuv', run: argon2('libuv') },
      { name: 'login', run: logins },
    ];
    const failedLogins = () => timeFailedLogins({ url: service.url, accounts, seconds });
    const latencySubjects = [
      { name: 'idle', run: probe },
      { name: 'storm', run: storm },
      { name: 'failed', run: failedLogins },
    ];
    for (let round = 0; round < rounds; round++) {
      const r = {};
      for (const subject of orderForRound(rateSubjects, round)) {
        r[subject.name] = await subject.run(seconds);
        if (subject.name === 'login') assertNoFailures(`login round ${round + 1}`, r.login);
      }
      rate.push(r);
      const l = {};
      for (const subject of orderForRound(latencySubjects, round)) {
        l[subject.name] = await subject.run();
        assertNoFailures(`${subject.name} probe round ${round + 1}`, l[subject.name]);
      }
      latency.push(l);
      process.stderr.write(
        `  round ${round + 1}: login ${r.login.requestsPerSecond.toFixed(1)}/s, argon2 ${r.argon2.requestsPerSecond.toFixed(1)}/s (libuv pool ${r['argon2-libuv'].requestsPerSecond.toFixed(1)}/s); ` +
          `p99 idle ${l.idle.latency.p99.toFixed(2)} ms, storm ${l.storm.latency.p99.toFixed(2)} ms (${l.storm.stormLoginsPerSecond.toFixed(1)} logins/s); ` +
          `failed login p50 unknown email ${l.failed.unknownEmailMs.toFixed(2)} ms, wrong password ${l.failed.wrongPasswordMs.toFixed(2)} ms\n`,
      );
    }
    return {
      concurrency: LOGIN_CONCURRENCY,
      probeRate: PROBE_RATE,
      loginsPerSecond: summarise(rate.map((r) => r.login.requestsPerSecond)),
      argon2PerSecond: summarise(rate.map((r) => r.argon2.requestsPerSecond)),
      argon2LibuvPerSecond: summarise(rate.map((r) => r['argon2-libuv'].requestsPerSecond)),
      loginVsArgon2Libuv: summarise(
        rate.map((r) => r.login.requestsPerSecond / r['argon2-libuv'].requestsPerSecond),
      ),
      loginVsArgon2: summarise(
        rate.map((r) => r.login.requestsPerSecond / r.argon2.requestsPerSecond),
      ),
      idleP99: summarise(latency.map((l) => l.idle.latency.p99)),
      stormP99: summarise(latency.map((l) => l.storm.latency.p99)),
      idleP50: summarise(latency.map((l) => l.idle.latency.p50)),
      stormP50: summarise(latency.map((l) => l.storm.latency.p50)),
      stormLoginsPerSecond: summarise(latency.map((l) => l.storm.stormLoginsPerSecond)),
      stormVsIdleP99: summarise(latency.map((l) => l.storm.latency.p99 / l.idle.latency.p99)),
      unknownEmailMs: summarise(latency.map((l) => l.failed.unknownEmailMs)),
      wrongPasswordMs: summarise(latency.map((l) => l.failed.wrongPasswordMs)),
      unknownEmailVsWrongPassword: summarise(
        latency.map((l) => l.failed.unknownEmailMs / l.failed.wrongPasswordMs),
      ),
    };
  } finally {
    await service.stop();
  }
}

/**
 * One failed login at a time for `seconds`, alternating a wrong password for one of `accounts`
 * with an email that has no account, each timed from send to answer. Both must be refused
 * with INVALID_CREDENTIALS; the medians should match, or the timing tells which emails exist.
 */
async function timeFailedLogins({ url, accounts, seconds }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const wrongPassword = [];
  const unknownEmail = [];
  let failed = 0;
  let firstFailure = null;
  const timeOne = async (email, into) => {
    const body = loginBody(email, 'not the bench password');
    const started = performance.now();
    const { status, text } = await postJson(url, body, {}, agent);
    const elapsed = performance.now() - started;
    if (status === 200 && text.includes('"reason":"INVALID_CREDENTIALS"')) into.push(elapsed);
    else {
      failed += 1;
      firstFailure ??= text.slice(0, 300);
    }
  };
  const until = performance.now() + seconds * 1000;
  try {
    for (let i = 0; performance.now() < until; i++) {
      // Alternated, and the order flips every pair, so drift in load hits both paths alike.
      const pair = [
        () => timeOne(accounts[i % accounts.length], wrongPassword),
        () => timeOne(`nobody-${i}@example.com`, unknownEmail),
      ];
      if (i % 2 === 1) pair.reverse();
      for (const request of pair) await request();
    }
  } finally {
    agent.destroy();
  }
  return {
    completed: wrongPassword.length + unknownEmail.length + failed,
    failed,
    firstFailure,
    wrongPasswordMs: median(wrongPassword),
    unknownEmailMs: median(unknownEmail),
  };
}

/** The stored hash of an account: the raw Argon2 loop then runs at exactly these parameters. */
function readPasswordHash(dbPath, email) {
  const Database = createRequire(join(ROOT, 'package.json'))('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT password_hash AS hash FROM users WHERE email = ?').get(email);
    if (row === undefined) throw new Error(`no user ${email}`);
    return row.hash;
  } finally {
    db.close();
  }
}
