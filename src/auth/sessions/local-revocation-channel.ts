import type { RevocationChannel, RevocationListener } from '../ports/revocation-channel.js';

/**
 * The revocation channel of a single instance (no Redis): it tells this process's listeners,
 * and nobody else. It is healthy by construction, as nothing can be lost between a publisher
 * and a listener in one process.
 */
export function createLocalRevocationChannel(): RevocationChannel {
  const listeners = new Set<RevocationListener>();
  return {
    async publish(revocation) {
      for (const listener of listeners) listener.revoked(revocation);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isHealthy: () => true,
    async close() {
      listeners.clear();
    },
  };
}
