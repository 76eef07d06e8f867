// 1. `{ me { id } }` with a valid access token, against bare yoga, Apollo + jsonwebtoken and
// better-auth's get-session, alternating subjects round by round.

import { join } from 'node:path';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { startApolloJsonwebtoken, startBareYoga, startBetterAuth } from '../lib/peers.mjs';
import { openSessions, signUp, startService } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const isMe = (text) => text.startsWith('{"data":{"me":{"id":"');
const isSession = (text) => text.includes('"session":{') && text.includes('"user":{');

export async function measureProtectedQuery(options, workDir) {
  const { connections, seconds, rounds, sessions, warmupSeconds } = options;
  const service = await startService({ dbPath: join(workDir, 'protected.db') });
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

    const bare = await startBareYoga();
    subjects.push({
      name: 'yoga-bare',
      handle: bare,
      run: (s) => graphqlLoad(bare.url, bearers, s),
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
        const run = await subject.run(seconds);
        assertNoFailures(`${subject.name} round ${round + 1}`, run);
        results[subject.name] = run;
        log(
          `  round ${round + 1} ${subject.name}: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.latency.p99} ms`,
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
  const ratio = (other) =>
    summarise(perRound.map((r) => r.service.requestsPerSecond / r[other].requestsPerSecond));
  return {
    throughput,
    p99,
    ratios: {
      vsYogaBare: ratio('yoga-bare'),
      vsApolloJsonwebtoken: ratio('apollo-jsonwebtoken'),
      vsBetterAuth: ratio('better-auth'),
    },
  };
}

function log(line) {
  process.stderr.write(`${line}\n`);
}
