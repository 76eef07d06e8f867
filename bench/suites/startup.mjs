// 5. Start-up: from spawning `node dist/main.js` to its first successful answer to
// `{ me { id } }` with a valid access token (an existing database: the usual restart), and to
// `{ __typename }` on an empty database (migrations and key generation included). Bare yoga's
// time to its first answer is measured alternately as the same-run reference.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { postJson } from '../lib/http-post.mjs';
import { findFreePort, HOST, startProcess } from '../lib/processes.mjs';
import { seedSessions } from '../lib/seed.mjs';
import { ROOT, SERVICE_ENTRY, serviceEnv } from '../lib/service.mjs';
import { orderForRound, summarise } from '../lib/stats.mjs';

const BARE = fileURLToPath(new URL('../servers/yoga-bare.mjs', import.meta.url));
const ME_QUERY = JSON.stringify({ query: '{ me { id } }' });
const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const isMe = (text) => text.startsWith('{"data":{"me":{"id":"');

export async function measureStartup(options, workDir) {
  const dbPath = join(workDir, 'startup.db');
  const [token] = await seedSessions({ dbPath, count: 1, users: 1, workDir });
  const authorization = `Bearer ${token}`;
  let fresh = 0;

  const subjects = [
    {
      name: 'service',
      run: async () => {
        const port = await findFreePort();
        return timeFirstAnswer(
          'service',
          [SERVICE_ENTRY],
          ROOT,
          serviceEnv({ port, dbPath }),
          port,
          ME_QUERY,
          authorization,
          isMe,
        );
      },
    },
    {
      name: 'service-empty-db',
      run: async () => {
        const port = await findFreePort();
        const emptyDb = join(workDir, `startup-empty-${fresh++}`, 'auth.db');
        try {
          return await timeFirstAnswer(
            'service (empty db)',
            [SERVICE_ENTRY],
            ROOT,
            serviceEnv({ port, dbPath: emptyDb }),
            port,
            TYPENAME,
            undefined,
            (text) => text.includes('"__typename":"Query"'),
          );
        } finally {
          rmSync(join(emptyDb, '..'), { recursive: true, force: true });
        }
      },
    },
    {
      name: 'yoga-bare',
      run: async () => {
        const port = await findFreePort();
        return timeFirstAnswer(
          'yoga-bare',
          [BARE],
          ROOT,
          { NODE_ENV: 'production', PORT: String(port) },
          port,
          ME_QUERY,
          authorization,
          isMe,
        );
      },
    },
  ];

  const perRound = [];
  for (let round = 0; round < options.startupRounds; round++) {
    const results = {};
    for (const subject of orderForRound(subjects, round)) {
      results[subject.name] = await subject.run();
    }
    process.stderr.write(
      `  round ${round + 1}: ${Object.entries(results)
        .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
        .join(', ')}\n`,
    );
    perRound.push(results);
  }
  return {
    serviceMs: summarise(perRound.map((r) => r.service)),
    serviceEmptyDbMs: summarise(perRound.map((r) => r['service-empty-db'])),
    yogaBareMs: summarise(perRound.map((r) => r['yoga-bare'])),
    vsYogaBare: summarise(perRound.map((r) => r.service / r['yoga-bare'])),
    emptyDbVsYogaBare: summarise(perRound.map((r) => r['service-empty-db'] / r['yoga-bare'])),
  };
}

/** Milliseconds from spawn until the process answers `body` correctly. */
async function timeFirstAnswer(name, args, cwd, env, port, body, authorization, verify) {
  const url = `http://${HOST}:${port}/graphql`;
  const headers = authorization === undefined ? {} : { authorization };
  const start = performance.now();
  const handle = startProcess(name, args, { cwd, env });
  try {
    for (;;) {
      if (handle.hasExited()) throw new Error(`${name} exited:\n${handle.output()}`);
      try {
        const { status, text } = await postJson(url, body, headers);
        if (status === 200 && verify(text)) return performance.now() - start;
        throw new Error(`${name} answered ${status}: ${text.slice(0, 300)}`);
      } catch (error) {
        if (error.code !== 'ECONNREFUSED') throw error;
      }
      if (performance.now() - start > 30_000) throw new Error(`${name} did not answer in 30 s`);
      await sleep(2);
    }
  } finally {
    await handle.stop();
  }
}
