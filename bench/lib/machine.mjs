// What the numbers were measured on, recorded with them.

import { execSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export function describeMachine() {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
    commit: readCommit(),
  };
}

function readCommit() {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}
