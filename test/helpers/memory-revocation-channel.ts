import type {
  Revocation,
  RevocationChannel,
  RevocationListener,
} from '../../src/auth/ports/revocation-channel.js';

/** An in-process channel whose health the test sets, recording every publication. */
export interface MemoryRevocationChannel extends RevocationChannel {
  readonly published: Revocation[];
  healthy: boolean;
  /** Tells the listeners that delivery restarted, as a real channel does on reconnection. */
  resetListeners(): void;
}

export function createMemoryRevocationChannel(): MemoryRevocationChannel {
  const listeners = new Set<RevocationListener>();
  const channel: MemoryRevocationChannel = {
    published: [],
    healthy: true,
    async publish(revocation) {
      channel.published.push(revocation);
      for (const listener of listeners) listener.revoked(revocation);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isHealthy: () => channel.healthy,
    resetListeners() {
      for (const listener of listeners) listener.reset();
    },
    async close() {
      listeners.clear();
    },
  };
  return channel;
}
