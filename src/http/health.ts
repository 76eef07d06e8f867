import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Store } from '../auth/ports/store.js';
import type { Logger } from '../logger.js';

// Liveness is yoga's own `GET /health` (200 while the process serves HTTP). Readiness is here.

/**
 * `GET /ready`: 200 when the store answers a trivial query, 503 otherwise. The reason goes to
 * the log, not to the caller, so a probe cannot learn anything about the database.
 */
export function useReadiness(store: Pick<Store, 'ping'>, logger: Logger): Plugin {
  return useReadinessCheck({
    endpoint: '/ready',
    async check({ fetchAPI }) {
      const ready = await store.ping().then(
        () => true,
        (error: unknown) => {
          logger.warn('not ready: the store does not answer', {
            error: error instanceof Error ? error.message : String(error),
          });
          return false;
        },
      );
      return new fetchAPI.Response(JSON.stringify({ status: ready ? 'ready' : 'unavailable' }), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
}
