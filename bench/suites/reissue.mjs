// 2. `reissue` rotations per second over many distinct sessions on SQLite, alternating with
// bare yoga as the same-run reference; afterwards every session's lineage is checked in the
// database against what the client saw.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postGraphQL, readJwtPayload } from '../lib/graphql-client.mjs';
import { assertNoFailures, runLoad } from '../lib/load.mjs';
import { startBareYoga } from '../lib/peers.mjs';
import { openSessions, ROOT, signUp, startService } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

const REISSUE = JSON.stringify({ query: 'mutation { reissue { accessToken refreshToken } }' });
const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });

export async function measureReissue(options, workDir) {
  const { connections, seconds, rounds, reissueSessions, warmupSeconds } = options;
  const dbPath = join(workDir, 'reissue.db');
  const service = await startService({ dbPath, nodeArgs: options.serviceNodeArgs });
  let bare;
  try {
    await signUp(service.url, 'reissue@example.com');
    const pairs = await openSessions(service.url, 'reissue@example.com', reissueSessions);
    const lineages = pairs.map(startLineage);
    const bearers = pairs.map((pair) => `Bearer ${pair.accessToken}`);
    bare = await startBareYoga();

    const subjects = [
      { name: 'reissue', run: (s) => rotate(service.url, lineages, connections, s) },
      {
        name: 'yoga-bare',
        run: (s) =>
          runLoad({
            url: bare.url,
            body: ME_QUERY,
            headerPool: ['authorization', bearers],
            connections,
            seconds: s,
            verify: (text) => text.startsWith('{"data":{"me":'),
          }),
      },
    ];
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
        process.stderr.write(
          `  round ${round + 1} ${subject.name}: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.latency.p99} ms\n`,
        );
      }
      perRound.push(results);
    }
    await service.stop();
    const lineage = checkLineages(dbPath, lineages);
    return {
      sessions: lineages.length,
      rotationsPerSecond: summarise(perRound.map((r) => r.reissue.requestsPerSecond)),
      yogaBarePerSecond: summarise(perRound.map((r) => r['yoga-bare'].requestsPerSecond)),
      vsYogaBare: summarise(
        perRound.map((r) => r.reissue.requestsPerSecond / r['yoga-bare'].requestsPerSecond),
      ),
      p99: summarise(perRound.map((r) => r.reissue.latency.p99)),
      lineage,
    };
  } finally {
    await Promise.all([service.stop(), bare?.stop()]);
  }
}

/** What the client knows of one session: its current refresh token and the rotations seen. */
export function startLineage(pair) {
  const { sid, jti } = readJwtPayload(pair.refreshToken);
  return { sessionId: sid, refreshToken: pair.refreshToken, jti, rotations: 0, inFlight: false };
}

/**
 * One closed-loop run of `reissue`. Each request takes an idle session, presents its current
 * refresh token and keeps the new one, so every connection rotates a different session and no
 * session has two rotations in flight. Requests still in flight when the run stops lose their
 * answer; the client then does what a real one does after a lost response: present the same
 * refresh token again, which inside the reuse interval yields the session's current pair.
 */
export async function rotate(url, lineages, connections, seconds) {
  const idle = lineages.filter((lineage) => !lineage.inFlight);
  const run = await runLoad({
    url,
    body: REISSUE,
    connections,
    seconds,
    verify: (text) => text.startsWith('{"data":{"reissue":{"accessToken":"'),
    setupRequest(req, context) {
      const lineage = idle.shift();
      if (lineage === undefined) throw new Error('more connections than sessions');
      lineage.inFlight = true;
      context.lineage = lineage;
      req.headers = { ...req.headers, authorization: `Bearer ${lineage.refreshToken}` };
      return req;
    },
    onResponse(status, body, context) {
      const lineage = context.lineage;
      if (status === 200) accept(lineage, body);
      lineage.inFlight = false;
      idle.push(lineage);
    },
  });
  await sleep(100);
  for (const lineage of lineages.filter((l) => l.inFlight)) {
    const { body } = await postGraphQL(url, 'mutation { reissue { refreshToken } }', {
      token: lineage.refreshToken,
    });
    const refreshToken = body.data?.reissue?.refreshToken;
    if (typeof refreshToken !== 'string') {
      throw new Error(`re-presenting a lost rotation failed: ${JSON.stringify(body.errors)}`);
    }
    keep(lineage, refreshToken);
    lineage.inFlight = false;
  }
  return run;
}

function accept(lineage, body) {
  let refreshToken;
  try {
    refreshToken = JSON.parse(body).data?.reissue?.refreshToken;
  } catch {
    return;
  }
  if (typeof refreshToken === 'string') keep(lineage, refreshToken);
}

/** Counts a rotation whenever the session hands us a refresh token id we have not seen. */
function keep(lineage, refreshToken) {
  const { jti } = readJwtPayload(refreshToken);
  if (jti !== lineage.jti) lineage.rotations += 1;
  lineage.jti = jti;
  lineage.refreshToken = refreshToken;
}

/**
 * After the run, in the database: every session is live, its current refresh token is the one
 * the client holds (none lost), and it rotated exactly as often as the client saw (no fork).
 */
export function checkLineages(dbPath, lineages) {
  const Database = createRequire(join(ROOT, 'package.json'))('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    const read = db.prepare(
      'SELECT current_refresh_jti AS jti, generation, revoked_at AS revokedAt FROM sessions WHERE id = ?',
    );
    return tallyLineages(lineages, (id) => read.get(id));
  } finally {
    db.close();
  }
}

/**
 * Compares each lineage with its row (`{ jti, generation, revokedAt }`, or undefined when
 * missing) as `readRow(sessionId)` returns it, whichever store it came from.
 */
export function tallyLineages(lineages, readRow) {
  let lost = 0;
  let forked = 0;
  let revoked = 0;
  let rotations = 0;
  for (const lineage of lineages) {
    const row = readRow(lineage.sessionId);
    rotations += lineage.rotations;
    if (row === undefined || row.revokedAt !== null) revoked += 1;
    if (row === undefined || row.jti !== lineage.jti) lost += 1;
    if (row === undefined || row.generation !== lineage.rotations) forked += 1;
  }
  return { checked: lineages.length, rotations, lost, forked, revoked };
}
