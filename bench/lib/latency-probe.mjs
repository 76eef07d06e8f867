// An open-loop latency probe: requests at a fixed rate over keep-alive sockets, each timed in
// microseconds from the moment it was due (so a stalled server cannot hide its stall by
// delaying the requests that would have measured it).

import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { postJson } from './http-post.mjs';

export async function probeLatency({ url, body, headerPool, rate, seconds, verify }) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const interval = 1000 / rate;
  const total = Math.floor(rate * seconds);
  const latencies = [];
  let failed = 0;
  let firstFailure = null;
  const pending = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      postJson(target, body, { authorization: headerPool[i % headerPool.length] }, agent).then(
        ({ status, text }) => {
          const elapsed = performance.now() - due;
          if (status === 200 && verify(text)) latencies.push(elapsed);
          else {
            failed += 1;
            firstFailure ??= text.slice(0, 300);
          }
        },
        (error) => {
          failed += 1;
          firstFailure ??= String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    completed: latencies.length + failed,
    failed,
    firstFailure,
    latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1) },
  };
}
