import { type Answer, labelOf } from './graphql-answer.js';
import type { Load } from './session-load.js';

// What a load's record of requests says afterwards: how many were sent while the fault lasted
// and how they were answered, and the longest wait.

/** The requests sent between two instants (performance.now()), and how they were answered. */
export function requestsBetween(load: Load, from: number, to: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of load.sent) {
    if (request.sentAt < from || request.sentAt > to) continue;
    const label = `${request.operation}:${labelOf(request.answer)}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

/**
 * The request that waited longest for its answer (or for giving up), and how long; only those
 * `which` selects (all by default).
 */
export function slowestRequest(
  load: Load,
  which: (answer: Answer) => boolean = () => true,
): { readonly ms: number; readonly what: string } {
  let slowest = { ms: 0, what: 'none sent' };
  for (const request of load.sent) {
    if (request.ms <= slowest.ms || !which(request.answer)) continue;
    const what = `${request.operation} on ${request.instance}: ${labelOf(request.answer)}`;
    slowest = { ms: Math.round(request.ms), what };
  }
  return slowest;
}
