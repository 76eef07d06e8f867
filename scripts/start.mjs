// `npm start`: compile dist/ when it is stale (scripts/build-dist.mjs --if-stale), then run
// dist/main.js in this same process. One process instead of a prestart and a start saves a
// Node.js start and a shell, which on an already built checkout is most of what `npm start`
// adds to `node dist/main.js`. package.json runs this with --enable-source-maps, which then
// applies to dist/main.js as it did when npm started it directly.

import { buildDist, compileWithTsc, REPOSITORY_ROOT, reportBuild } from './build-dist.mjs';

const status = reportBuild(
  buildDist({ root: REPOSITORY_ROOT, ifStale: true, compile: compileWithTsc }),
);
if (status === 0) await import('../dist/main.js');
else process.exitCode = status;
