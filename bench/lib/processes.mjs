// Child processes under test: a free loopback port, start, wait until a request succeeds,
// resident memory, and a stop that always waits for the exit.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';

/** A port the kernel just handed out on loopback; the child binds it right after. */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

const running = new Set();

/**
 * Starts `node <args>` with `env` added to a minimal environment. Output is kept (the last
 * 64 KB) so a failure can say why.
 */
export function startProcess(name, args, { env = {}, cwd } = {}) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const handle = {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => output,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      running.delete(handle);
      if (!handle.hasExited()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

/** Kills whatever is still running; called on the way out, including on errors. */
export async function stopAll() {
  await Promise.all([...running].map((handle) => handle.stop()));
}

/**
 * Polls `check` (an async function that resolves true once the process answers correctly)
 * until it succeeds, the process exits, or `timeoutMs` passes.
 */
export async function waitUntil(handle, check, { timeoutMs = 30_000, intervalMs = 5 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (handle.hasExited()) {
      throw new Error(`${handle.name} exited before answering:\n${handle.output()}`);
    }
    try {
      if (await check()) return;
    } catch {
      // Not listening yet.
    }
    await sleep(intervalMs);
  }
  throw new Error(`${handle.name} did not answer within ${timeoutMs} ms:\n${handle.output()}`);
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function readRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`No VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux). */
export function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
