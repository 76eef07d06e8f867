// Compiles src/ to dist/ with tsc, and records what it compiled from in dist/.build-stamp.json.
//
//   node scripts/build-dist.mjs              always compiles (`npm run build`)
//   node scripts/build-dist.mjs --if-stale   compiles only when dist/ is not the output of the
//                                            current inputs (what scripts/start.mjs does first)
//
// dist/ is current when the stamp exists, every input has the content it had when the stamp was
// written (a SHA-256 per file, so a `git checkout` that only touches mtimes does not rebuild, and
// a clock that goes backwards cannot hide an edit), no input was added or removed, and every file
// tsc wrote is still there with the size and mtime it had. Anything else compiles: a fresh
// clone (no stamp), an edited, added or deleted source, a changed tsconfig, package.json or
// lockfile (a new TypeScript or @types version), a deleted or rewritten file in dist/, or a
// change to this script. The stamp is removed before tsc runs and written only after it
// succeeds, so an interrupted or failed build is never taken for a current one.
//
// Plain JavaScript on purpose: it runs before anything is compiled, and starting tsx would cost
// more than the check itself.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP_FILE = '.build-stamp.json';
const STAMP_VERSION = 1;
const PROJECT = 'tsconfig.build.json';
const OUT_DIR = 'dist';

/**
 * What tsc reads besides the project's own sources: the configs, the package (its "type" decides
 * the module format under NodeNext), the lockfile and the tree npm actually installed (the
 * compiler and every .d.ts come from there), and this script (it decides how tsc is run).
 */
const FIXED_INPUTS = [
  'tsconfig.json',
  PROJECT,
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'scripts/build-dist.mjs',
];

/**
 * The project's source paths: tsconfig.build.json's "include", each a folder or a file. A glob
 * or a config this script cannot read returns the reason instead, and the caller then always
 * compiles rather than guess which files tsc would pick.
 */
export function readSourceRoots(root) {
  let config;
  try {
    config = JSON.parse(readFileSync(join(root, PROJECT), 'utf8'));
  } catch (error) {
    return { unknown: `${PROJECT} is not plain JSON (${error.message})` };
  }
  const include = config.include;
  if (!Array.isArray(include) || include.length === 0) {
    return { unknown: `${PROJECT} has no "include" list` };
  }
  const glob = include.find((entry) => typeof entry !== 'string' || /[*?[\]{}]/.test(entry));
  if (glob !== undefined) return { unknown: `${PROJECT} includes a pattern (${glob})` };
  return { roots: include };
}

/** Every input file as a path relative to `root` (forward slashes), sorted. */
export function listInputs(root, sourceRoots) {
  const files = new Set(FIXED_INPUTS);
  for (const entry of sourceRoots) {
    for (const file of walk(root, entry)) files.add(file);
  }
  return [...files].sort();
}

/** The SHA-256 of each input's content; a missing input hashes as `missing`. */
export function hashInputs(root, inputs) {
  const hashes = {};
  for (const file of inputs) {
    let content;
    try {
      content = readFileSync(join(root, file));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      hashes[file] = 'missing';
      continue;
    }
    hashes[file] = createHash('sha256').update(content).digest('hex');
  }
  return hashes;
}

/** Size and mtime of every file in dist/ except the stamp: what the last compile wrote. */
export function describeOutputs(root) {
  const outputs = {};
  for (const file of walk(root, OUT_DIR)) {
    if (file === `${OUT_DIR}/${STAMP_FILE}`) continue;
    const stat = statSync(join(root, file));
    outputs[file] = [stat.size, stat.mtimeMs];
  }
  return outputs;
}

/** The stamp in dist/, or null when there is none or it is not one this version wrote. */
export function readStamp(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, OUT_DIR, STAMP_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (stamp === null || typeof stamp !== 'object' || stamp.version !== STAMP_VERSION) return null;
  if (typeof stamp.inputs !== 'object' || typeof stamp.outputs !== 'object') return null;
  return stamp;
}

/**
 * Why dist/ is not the output of the current inputs, or null when it is. `inputs` are the
 * current hashes (from hashInputs).
 */
export function findStaleness(root, stamp, inputs) {
  if (stamp === null) return `no ${OUT_DIR}/${STAMP_FILE} (never built here)`;
  for (const [file, hash] of Object.entries(inputs)) {
    const before = stamp.inputs[file];
    if (before === undefined) return `${file} is new`;
    if (before !== hash) return hash === 'missing' ? `${file} was removed` : `${file} changed`;
  }
  for (const file of Object.keys(stamp.inputs)) {
    if (!(file in inputs)) return `${file} was removed`;
  }
  const outputs = Object.entries(stamp.outputs);
  if (outputs.length === 0) return `the last build wrote nothing to ${OUT_DIR}/`;
  for (const [file, [size, mtimeMs]] of outputs) {
    let stat;
    try {
      stat = statSync(join(root, file));
    } catch {
      return `${file} is missing`;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return `${file} was rewritten since`;
  }
  return null;
}

/**
 * Compiles unless `ifStale` is set and dist/ is current. `compile` runs tsc in `root` and returns
 * its exit status. Returns whether it compiled, why, and the exit status (0 when skipped).
 */
export function buildDist({ root, ifStale, compile }) {
  const sources = readSourceRoots(root);
  const inputs =
    sources.roots === undefined ? null : hashInputs(root, listInputs(root, sources.roots));
  const reason = !ifStale
    ? 'asked to build'
    : inputs === null
      ? sources.unknown
      : findStaleness(root, readStamp(root), inputs);
  if (reason === null) return { built: false, reason: `${OUT_DIR}/ is current`, status: 0 };

  const stampPath = join(root, OUT_DIR, STAMP_FILE);
  rmSync(stampPath, { force: true });
  const status = compile(root);
  if (status === 0 && inputs !== null) {
    const stamp = { version: STAMP_VERSION, inputs, outputs: describeOutputs(root) };
    const temporary = `${stampPath}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(stamp)}\n`);
    renameSync(temporary, stampPath);
  }
  return { built: true, reason, status };
}

/** `tsc -p tsconfig.build.json` with the project's own TypeScript; returns its exit status. */
export function compileWithTsc(root) {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', PROJECT], { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Files under `entry` (a folder or a file) relative to `root`, with forward slashes. */
function walk(root, entry) {
  const path = join(root, entry);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  if (!stat.isDirectory()) return [relative(root, path).split(sep).join('/')];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => relative(root, join(dirent.parentPath, dirent.name)).split(sep).join('/'));
}

/** Says on stderr what buildDist did; returns its exit status. */
export function reportBuild(result) {
  if (!result.built) process.stderr.write(`build: ${result.reason}, tsc skipped\n`);
  else if (result.status === 0) process.stderr.write(`build: compiled (${result.reason})\n`);
  else process.stderr.write(`build: tsc failed with status ${result.status} (${result.reason})\n`);
  return result.status;
}

/** This repository's root, where package.json and dist/ are. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

// Run as a program (not imported by scripts/start.mjs or a test); realpath, in case the checkout
// is reached through a symlink.
if (
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const ifStale = process.argv.includes('--if-stale');
  process.exitCode = reportBuild(
    buildDist({ root: REPOSITORY_ROOT, ifStale, compile: compileWithTsc }),
  );
}
