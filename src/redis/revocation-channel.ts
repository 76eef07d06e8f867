import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type {
  Revocation,
  RevocationChannel,
  RevocationListener,
} from '../auth/ports/revocation-channel.js';
import type { Logger } from '../logger.js';
import { decodeRevocationMessage, encodeRevocationMessage } from './revocation-message.js';

export interface RedisRevocationChannelOptions {
  /** A connection of its own: it is put in subscriber mode and can do nothing else. */
  readonly subscriber: Redis;
  /** Any ordinary connection (the rate limits' will do). */
  readonly publisher: Redis;
  /** The pub/sub channel, e.g. `auth:revocations`. */
  readonly channelName: string;
  readonly logger: Logger;
  /** How often the subscriber pings the server; 250 ms by default. */
  readonly heartbeatMs?: number;
  /** Healthy while the server was last heard within this; 1000 ms by default. */
  readonly healthyWithinMs?: number;
}

/** Announcements kept while the publisher is away, sent again by the heartbeat once it is back. */
const MAX_UNSENT = 1000;

/**
 * Revocation fan-out over Redis pub/sub (see auth/revocation.ts for the contract).
 *
 * Healthy means: subscribed on the current connection, and the server answered the subscriber
 * (a heartbeat PING, or a message) within `healthyWithinMs`. Redis answers a PING only after
 * every message published before it, so a recent answer means no announcement is held up.
 * Listeners are reset whenever the subscription is lost, re-established, or goes quiet, since
 * announcements may have been missed then. A subscriber quiet for three times that long is
 * reconnected, so a half-open connection does not keep the instance deaf.
 */
export function createRedisRevocationChannel(
  options: RedisRevocationChannelOptions,
): RevocationChannel {
  const { subscriber, publisher, channelName, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? 250;
  const healthyWithinMs = options.healthyWithinMs ?? 1000;
  const origin = randomUUID();
  const listeners = new Set<RevocationListener>();
  const unsent: string[] = [];
  let subscribed = false;
  let subscribing = false;
  let quiet = false;
  let lastHeard = Number.NEGATIVE_INFINITY;
  let closed = false;

  function notify(call: (listener: RevocationListener) => void): void {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (error) {
        logger.error('revocation listener failed', error);
      }
    }
  }

  function heard(): void {
    lastHeard = performance.now();
    quiet = false;
  }

  function subscribe(): void {
    if (closed || subscribed || subscribing || subscriber.status !== 'ready') return;
    subscribing = true;
    subscriber.subscribe(channelName).then(
      () => {
        subscribing = false;
        if (closed) return;
        subscribed = true;
        heard();
        notify((listener) => listener.reset());
      },
      (error: Error) => {
        subscribing = false; // the heartbeat tries again while the connection is ready
        logger.warn('revocation channel could not subscribe', { error: error.message });
      },
    );
  }

  function onClose(): void {
    subscribing = false;
    if (!subscribed) return;
    subscribed = false;
    notify((listener) => listener.reset());
  }

  function onMessage(channel: string, text: string): void {
    if (channel !== channelName || closed) return;
    heard();
    const message = decodeRevocationMessage(text);
    if (message === null) {
      logger.warn('ignored a malformed revocation message', { length: text.length });
      return;
    }
    if (message.origin === origin) return; // delivered locally when published
    notify((listener) => listener.revoked(message.revocation));
  }

  function beat(): void {
    if (unsent.length > 0 && publisher.status === 'ready') resend();
    if (!subscribed) {
      subscribe();
      return;
    }
    const silence = performance.now() - lastHeard;
    if (silence > healthyWithinMs && !quiet) {
      quiet = true;
      notify((listener) => listener.reset());
    }
    if (silence > 3 * healthyWithinMs) {
      logger.warn('revocation channel silent; reconnecting', { silentMs: Math.round(silence) });
      subscriber.disconnect(true);
      return;
    }
    subscriber.ping().then(heard, () => {
      // No answer in time: the silence itself makes the channel unhealthy.
    });
  }

  async function send(text: string): Promise<boolean> {
    try {
      await publisher.publish(channelName, text);
      return true;
    } catch (error) {
      logger.warn('revocation announcement failed; will resend once redis is back', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (unsent.length >= MAX_UNSENT) unsent.shift();
      unsent.push(text);
      return false;
    }
  }

  function resend(): void {
    const pending = unsent.splice(0);
    for (const text of pending) void send(text);
  }

  subscriber.on('ready', subscribe);
  subscriber.on('close', onClose);
  subscriber.on('message', onMessage);
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();
  subscribe();

  return {
    async publish(revocation: Revocation) {
      notify((listener) => listener.revoked(revocation));
      await send(encodeRevocationMessage({ origin, revocation }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    isHealthy() {
      return !closed && subscribed && performance.now() - lastHeard <= healthyWithinMs;
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      subscriber.off('ready', subscribe);
      subscriber.off('close', onClose);
      subscriber.off('message', onMessage);
      listeners.clear();
      if (subscribed && subscriber.status === 'ready') {
        await subscriber.unsubscribe(channelName).catch(() => {
          // Closing anyway: the connection's owner ends it next.
        });
      }
      subscribed = false;
    },
  };
}
