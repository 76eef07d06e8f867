// 6. The same service on its three store set-ups: embedded SQLite (the baseline), PostgreSQL,
// and PostgreSQL with Redis (shared rate limits, and the session liveness cache kept correct by
// revocation announcements). `{ me { id } }` and `reissue`, alternating subjects round by round;
// every figure is a ratio to SQLite in the same rounds. Skipped, saying why, when PostgreSQL or
// Redis does not answer.

import { join } from 'node:path';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { readCpuSeconds } from '../lib/processes.mjs';
import { openSessions, signUp, startService } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';
import {
  createBenchDatabase,
  deleteRedisKeys,
  findUnreachableStore,
  maskUrl,
  readPostgresSessions,
  readStoreUrls,
  scrapeGauges,
  uniqueKeyPrefix,
} from '../lib/stores.mjs';
import { checkLineages, rotate, startLineage, tallyLineages } from './reissue.mjs';

const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const EMAIL = 'stores@example.com';
const CHANNEL_UP = 'auth_revocation_channel_up';
const CACHE_ENTRIES = 'auth_session_cache_entries';
const SUBJECTS = ['sqlite', 'postgres', 'postgres+redis'];
// The service's default, set explicitly so results.json says what was measured.
const SESSION_CACHE_TTL_SECONDS = 30;

export async function measureStores(options, workDir) {
  const urls = readStoreUrls(process.env);
  const unreachable = await findUnreachableStore(urls);
  if (unreachable !== null) {
    log(`  skipped: ${unreachable}`);
    return { skipped: unreachable };
  }
  const database = await createBenchDatabase(urls.databaseUrl);
  const keyPrefix = uniqueKeyPrefix();
  log(`  database ${database.name}, Redis key prefix ${keyPrefix}`);
  const services = [];
  try {
    const dbPath = join(workDir, 'stores.db');
    const start = async (name, extra) => {
      const service = await startService({
        dbPath,
        name,
        extra,
        nodeArgs: options.serviceNodeArgs,
      });
      services.push(service);
      return service;
    };
    const sqlite = await start('sqlite', {});
    // The first PostgreSQL instance applies the migrations; the second finds them done.
    const postgres = await start('postgres', { DATABASE_URL: database.url });
    const redis = await start('postgres+redis', {
      DATABASE_URL: database.url,
      REDIS_URL: urls.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      SESSION_CACHE_TTL: `${SESSION_CACHE_TTL_SECONDS}s`,
    });
    const byName = { sqlite, postgres, 'postgres+redis': redis };
    const origin = `http://127.0.0.1:${redis.port}`;

    const query = await measureMe(options, byName, () =>
      scrapeGauges(origin, [CHANNEL_UP, CACHE_ENTRIES]),
    );
    const reissue = await measureReissue(options, byName);

    await Promise.all(services.map((service) => service.stop()));
    const pgRows = await readPostgresSessions(
      database.url,
      [...reissue.lineages.postgres, ...reissue.lineages['postgres+redis']].map(
        (lineage) => lineage.sessionId,
      ),
    );
    const lineage = {
      sqlite: checkLineages(dbPath, reissue.lineages.sqlite),
      postgres: tallyLineages(reissue.lineages.postgres, (id) => pgRows.get(id)),
      'postgres+redis': tallyLineages(reissue.lineages['postgres+redis'], (id) => pgRows.get(id)),
    };
    return {
      database: maskUrl(urls.databaseUrl),
      redis: maskUrl(urls.redisUrl),
      sessionCacheTtlSeconds: SESSION_CACHE_TTL_SECONDS,
      ...query,
      reissue: reissue.summary,
      lineage,
    };
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    try {
      await database.drop();
      log(`  dropped ${database.name}`);
    } finally {
      const deleted = await deleteRedisKeys(urls.redisUrl, keyPrefix);
      log(`  deleted ${deleted} Redis keys under ${keyPrefix}`);
    }
  }
}

/**
 * `{ me { id } }` over `sessions` sessions of one account per store. Every answer must be that
 * account's id. After each PostgreSQL + Redis run `/metrics` is read: the liveness cache must
 * hold sessions and the revocation channel must be up, or the figure is not the cache's.
 */
async function measureMe(options, byName, scrapeRedisGauges) {
  const { connections, seconds, rounds, sessions, warmupSeconds } = options;
  const sqliteAccount = await openAccount(byName.sqlite.url, sessions);
  // Both PostgreSQL subjects share the database, so the same sessions serve both.
  const pgAccount = await openAccount(byName.postgres.url, sessions);
  const accountOf = { sqlite: sqliteAccount, postgres: pgAccount, 'postgres+redis': pgAccount };
  const run = (name, s) => {
    const { bearers, expected } = accountOf[name];
    return runLoad({
      url: byName[name].url,
      body: ME_QUERY,
      headerPool: ['authorization', bearers],
      connections,
      seconds: s,
      verify: (text) => text === expected,
    });
  };

  const gauges = [];
  const checkGauges = async (when) => {
    const values = await scrapeRedisGauges();
    gauges.push({ when, channelUp: values[CHANNEL_UP], cacheEntries: values[CACHE_ENTRIES] });
    if (values[CHANNEL_UP] !== 1) {
      throw new Error(
        `postgres+redis ${when}: ${CHANNEL_UP} is ${values[CHANNEL_UP]}, so the liveness cache was bypassed and the figure would be PostgreSQL's, not the cache's`,
      );
    }
    if (values[CACHE_ENTRIES] === 0) {
      throw new Error(
        `postgres+redis ${when}: ${CACHE_ENTRIES} is 0 after load: the cache was never filled`,
      );
    }
    return values;
  };

  for (const name of SUBJECTS) assertNoFailures(`${name} warm-up`, await run(name, warmupSeconds));
  await checkGauges('after warm-up');
  const perRound = await runRounds({
    byName,
    rounds,
    seconds,
    run,
    operation: 'me',
    async describe(name, result, round) {
      let text = `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.serviceCpuMicrosPerRequest.toFixed(0)} µs service CPU/request`;
      if (name === 'postgres+redis') {
        const values = await checkGauges(`round ${round + 1}`);
        text += `, cache ${values[CACHE_ENTRIES]} sessions, channel up`;
      }
      return text;
    },
  });
  const per = (pick) =>
    Object.fromEntries(
      SUBJECTS.map((name) => [name, summarise(perRound.map((r) => pick(r[name])))]),
    );
  const vsSqlite = (name, pick) => summarise(perRound.map((r) => pick(r[name]) / pick(r.sqlite)));
  const rate = (r) => r.requestsPerSecond;
  const p50 = (r) => r.latency.p50;
  const p99 = (r) => r.latency.p99;
  return {
    query: {
      throughput: per(rate),
      p50: per(p50),
      p99: per(p99),
      serviceCpuMicrosPerRequest: per((r) => r.serviceCpuMicrosPerRequest),
      ratios: {
        postgresVsSqlite: vsSqlite('postgres', rate),
        redisVsSqlite: vsSqlite('postgres+redis', rate),
        redisVsPostgres: summarise(
          perRound.map((r) => rate(r['postgres+redis']) / rate(r.postgres)),
        ),
      },
      p50Ratios: {
        postgresVsSqlite: vsSqlite('postgres', p50),
        redisVsSqlite: vsSqlite('postgres+redis', p50),
      },
      p99Ratios: {
        postgresVsSqlite: vsSqlite('postgres', p99),
        redisVsSqlite: vsSqlite('postgres+redis', p99),
      },
    },
    gauges,
  };
}

/**
 * `rounds` rounds in which every subject runs `operation` for `seconds`, in an order that rotates
 * from round to round. Each result gets the service process's CPU per request; `describe` gives
 * the log line's details (and may check more, such as the gauges).
 */
async function runRounds({ byName, rounds, seconds, run, operation, describe }) {
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const results = {};
    for (const name of orderForRound(SUBJECTS, round)) {
      const pid = byName[name].pid;
      const cpuBefore = readCpuSeconds(pid);
      const result = await run(name, seconds);
      result.serviceCpuMicrosPerRequest =
        ((readCpuSeconds(pid) - cpuBefore) * 1e6) / result.completed;
      assertNoFailures(`${name} ${operation} round ${round + 1}`, result);
      results[name] = result;
      log(`  round ${round + 1} ${operation} ${name}: ${await describe(name, result, round)}`);
    }
    perRound.push(results);
  }
  return perRound;
}

/**
 * `reissue` over `reissueSessions` distinct sessions per subject (the two PostgreSQL subjects
 * each rotate their own), with the lost-answer recovery of the reissue suite.
 */
async function measureReissue(options, byName) {
  const { connections, seconds, rounds, reissueSessions, warmupSeconds } = options;
  const lineages = {};
  for (const name of SUBJECTS) {
    const pairs = await openSessions(byName[name].url, EMAIL, reissueSessions);
    lineages[name] = pairs.map(startLineage);
  }
  const run = (name, s) => rotate(byName[name].url, lineages[name], connections, s);
  for (const name of SUBJECTS) {
    assertNoFailures(`${name} reissue warm-up`, await run(name, warmupSeconds));
  }
  const perRound = await runRounds({
    byName,
    rounds,
    seconds,
    run,
    operation: 'reissue',
    describe: async (_name, result) =>
      `${result.requestsPerSecond.toFixed(0)}/s, p99 ${result.latency.p99} ms, ${result.serviceCpuMicrosPerRequest.toFixed(0)} µs service CPU/rotation`,
  });
  const rate = (r) => r.requestsPerSecond;
  return {
    lineages,
    summary: {
      sessionsPerSubject: reissueSessions,
      rotationsPerSecond: Object.fromEntries(
        SUBJECTS.map((name) => [name, summarise(perRound.map((r) => rate(r[name])))]),
      ),
      // The service process only: PostgreSQL's and Redis's work is in their own processes.
      serviceCpuMicrosPerRotation: Object.fromEntries(
        SUBJECTS.map((name) => [
          name,
          summarise(perRound.map((r) => r[name].serviceCpuMicrosPerRequest)),
        ]),
      ),
      ratios: {
        postgresVsSqlite: summarise(perRound.map((r) => rate(r.postgres) / rate(r.sqlite))),
        redisVsSqlite: summarise(perRound.map((r) => rate(r['postgres+redis']) / rate(r.sqlite))),
      },
    },
  };
}

/** Signs the bench account up and opens `count` sessions; the exact `me` answer expected. */
async function openAccount(url, count) {
  const first = await signUp(url, EMAIL);
  const pairs = await openSessions(url, EMAIL, count);
  return {
    bearers: pairs.map((pair) => `Bearer ${pair.accessToken}`),
    expected: JSON.stringify({ data: { me: { id: first.user.id } } }),
  };
}

function log(line) {
  process.stderr.write(`${line}\n`);
}
