// Runs a bench tool in its own node process and returns the JSON line it prints last.

import { startProcess } from './processes.mjs';

export async function runTool(name, file, env) {
  const handle = startProcess(name, [file], { env });
  const { code } = await handle.exited;
  await handle.stop();
  const lines = handle.output().trim().split('\n');
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${handle.output()}`);
  return JSON.parse(lines.at(-1) ?? '');
}
