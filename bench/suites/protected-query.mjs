// 1. `{ me { id } }` with a valid access token, against bare yoga, Apollo + jsonwebtoken and
// better-auth's get-session, alternating subjects round by round. Two limit lines run in the
// same rounds under the same load, for context: node:http answering a constant body, and
// graphql-js on node:http with parse and validate cached.

import { join } from 'node:path';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import {
  startApolloJsonwebtoken,
  startBareYoga,
  startBetterAuth,
  startGraphqlJsCached,
  startNodeHttpHello,
} from '../lib/peers.mjs';
import { readCpuSeconds } from '../lib/processes.mjs';
import { openSessions, signUp, startService } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const isMe = (text) => text.startsWith('{"data":{"me":{"id":"');
const isSession = (text) => text.includes('"session":{') && text.includes('"user":{');

export async function measureProtectedQuery(options, workDir) {
  const { connections, seconds, rounds, sessions, warmupSeconds } = options;
  const service = await startService({
    dbPath: join(workDir, 'protected.db'),
    nodeArgs: options.serviceNodeArgs,
  });
  const subjects = [];
  try {
    await signUp(service.url, 'bench@example.com');
    const pairs = await openSessions(service.url, 'bench@example.com', sessions);
    const bearers = pairs.map((pair) => `Bearer ${pair.accessToken}`);
    subjects.push({
      name: 'service',
      handle: service,
      run: (s) => graphqlLoad(service.url, bearers, s),
    });

    // The same service with the verified-token cache off: the cache's before/after, same run.
    const uncached = await startService({
      dbPath: join(workDir, 'protected.db'),
      name: 'service-uncached',
      extra: { ACCESS_TOKEN_CACHE_SIZE: '0' },
      nodeArgs: options.serviceNodeArgs,
    });
    subjects.push({
      name: 'service-uncached',
      handle: uncached,
      run: (s) => graphqlLoad(uncached.url, bearers, s),
    });

    // And with the operations extras off (Prometheus metrics, one log line per request): what
    // they cost, in the same run. Not a target; the default service keeps them on.
    const lean = await startService({
      dbPath: join(workDir, 'protected.db'),
      name: 'service-lean',
      extra: { METRICS: 'off', LOG_LEVEL: 'warn' },
      nodeArgs: options.serviceNodeArgs,
    });
    subjects.push({
      name: 'service-lean',
      handle: lean,
      run: (s) => graphqlLoad(lean.url, bearers, s),
    });

    const bare = await startBareYoga();
    subjects.push({
      name: 'yoga-bare',
      handle: bare,
      run: (s) => graphqlLoad(bare.url, bearers, s),
    });

    // The limit lines: no auth, the same POST, the same verified answer prefix.
    const hello = await startNodeHttpHello();
    subjects.push({
      name: 'node-http-hello',
      handle: hello,
      run: (s) => graphqlLoad(hello.url, bearers, s),
    });
    const graphqlJs = await startGraphqlJsCached();
    subjects.push({
      name: 'graphql-js-cached',
      handle: graphqlJs,
      run: (s) => graphqlLoad(graphqlJs.url, bearers, s),
    });

    const apollo = await startApolloJsonwebtoken(sessions);
    const apolloBearers = apollo.tokens.map((token) => `Bearer ${token}`);
    subjects.push({
      name: 'apollo-jsonwebtoken',
      handle: apollo,
      run: (s) => graphqlLoad(apollo.url, apolloBearers, s),
    });

    const betterAuth = await startBetterAuth(sessions, join(workDir, 'better-auth.db'));
    subjects.push({
      name: 'better-auth',
      handle: betterAuth,
      run: (s) =>
        runLoad({
          url: betterAuth.url,
          method: 'GET',
          headerPool: ['cookie', betterAuth.cookies],
          connections,
          seconds: s,
          verify: isSession,
        }),
    });

    function graphqlLoad(url, pool, s) {
      return runLoad({
        url,
        body: ME_QUERY,
        headerPool: ['authorization', pool],
        connections,
        seconds: s,
        verify: isMe,
      });
    }

    for (const subject of subjects) {
      assertNoFailures(`${subject.name} warm-up`, await subject.run(warmupSeconds));
    }
    const perRound = [];
    for (let round = 0; round < rounds; round++) {
      const results = {};
      for (const subject of orderForRound(subjects, round)) {
        const cpuBefore = readCpuSeconds(subject.handle.pid);
        const run = await subject.run(seconds);
        run.cpuMicrosPerRequest =
          ((readCpuSeconds(subject.handle.pid) - cpuBefore) * 1e6) / run.completed;
        assertNoFailures(`${subject.name} round ${round + 1}`, run);
        results[subject.name] = run;
        log(
          `  round ${round + 1} ${subject.name}: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.latency.p99} ms, ${run.cpuMicrosPerRequest.toFixed(0)} µs CPU/request`,
        );
      }
      perRound.push(results);
    }
    return summariseRounds(perRound);
  } finally {
    await Promise.all([service, ...subjects.map((subject) => subject.handle)].map((h) => h.stop()));
  }
}

function summariseRounds(perRound) {
  const names = Object.keys(perRound[0]);
  const throughput = Object.fromEntries(
    names.map((name) => [name, summarise(perRound.map((r) => r[name].requestsPerSecond))]),
  );
  const p99 = Object.fromEntries(
    names.map((name) => [name, summarise(perRound.map((r) => r[name].latency.p99))]),
  );
  const cpu = Object.fromEntries(
    names.map((name) => [name, summarise(perRound.map((r) => r[name].cpuMicrosPerRequest))]),
  );
  // CPU per request is far less sensitive to a busy machine than throughput is.
  const cpuRatio = (other) =>
    summarise(perRound.map((r) => r[other].cpuMicrosPerRequest / r.service.cpuMicrosPerRequest));
  const ratio = (other) =>
    summarise(perRound.map((r) => r.service.requestsPerSecond / r[other].requestsPerSecond));
  const ratioOf = (subject, other) =>
    summarise(perRound.map((r) => r[subject].requestsPerSecond / r[other].requestsPerSecond));
  return {
    throughput,
    p99,
    cpuMicrosPerRequest: cpu,
    // The service's CPU per request over the other's, per round: at most 1 means no more CPU
    // than the other spends on the same request. (cpuEfficiency below is the inverse.)
    cpuRatios: {
      vsYogaBare: summarise(
        perRound.map((r) => r.service.cpuMicrosPerRequest / r['yoga-bare'].cpuMicrosPerRequest),
      ),
    },
    cpuEfficiency: {
      vsYogaBare: cpuRatio('yoga-bare'),
      vsApolloJsonwebtoken: cpuRatio('apollo-jsonwebtoken'),
      vsBetterAuth: cpuRatio('better-auth'),
      cacheOnVsOff: cpuRatio('service-uncached'),
      leanVsYogaBare: summarise(
        perRound.map(
          (r) => r['yoga-bare'].cpuMicrosPerRequest / r['service-lean'].cpuMicrosPerRequest,
        ),
      ),
    },
    ratios: {
      vsYogaBare: ratio('yoga-bare'),
      vsApolloJsonwebtoken: ratio('apollo-jsonwebtoken'),
      vsBetterAuth: ratio('better-auth'),
      cacheOnVsOff: ratio('service-uncached'),
      leanVsYogaBare: summarise(
        perRound.map((r) => r['service-lean'].requestsPerSecond / r['yoga-bare'].requestsPerSecond),
      ),
    },
    // The limit lines, for context: each subject's throughput as a share of theirs, same rounds.
    limits: {
      nodeHttpHello: {
        service: ratio('node-http-hello'),
        yogaBare: ratioOf('yoga-bare', 'node-http-hello'),
        graphqlJsCached: ratioOf('graphql-js-cached', 'node-http-hello'),
      },
      graphqlJsCached: {
        service: ratio('graphql-js-cached'),
        yogaBare: ratioOf('yoga-bare', 'graphql-js-cached'),
      },
    },
  };
}

function log(line) {
  process.stderr.write(`${line}\n`);
}
