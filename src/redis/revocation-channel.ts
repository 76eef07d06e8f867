import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  Revocation,
  RevocationChannel,
  RevocationListener,
} from '../auth/ports/revocation-channel.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import {
  type ChannelState,
  CLOSED,
  connectionLost,
  heard,
  isHealthyAt,
  isSubscribed,
  silenceChecked,
  silenceOf,
  startSubscribing,
  subscribed,
  subscribeFailed,
  type Transition,
  UNSUBSCRIBED,
} from './revocation-channel-state.js';
import { decodeRevocationMessage, encodeRevocationMessage } from './revocation-message.js';
import { createRevocationOutbox } from './revocation-outbox.js';
import { intervalTicker, type Ticker } from './ticker.js';

export interface RedisRevocationChannelOptions {
  /** A connection of its own: it is put in subscriber mode and can do nothing else. */
  readonly subscriber: Redis;
  /** Any ordinary connection (the rate limits' will do). */
  readonly publisher: Redis;
  /** The pub/sub channel, e.g. `auth:revocations`. */
  readonly channelName: string;
  readonly logger: Logger;
  /** What the health window is measured on. */
  readonly clock: Clock;
  /** What beats the heart; `setInterval` by default. */
  readonly ticker?: Ticker;
  /** How often the subscriber pings the server; 250 ms by default. */
  readonly heartbeatMs?: number;
  /** Healthy while the server was last heard within this; 1000 ms by default. */
  readonly healthyWithinMs?: number;
}

/**
 * Revocation fan-out over Redis pub/sub (see auth/ports/revocation-channel.ts for the contract).
 *
 * Healthy means: subscribed on the current connection, and the server answered the subscriber
 * (a heartbeat PING, or a message) within `healthyWithinMs`. Redis answers a PING only after
 * every message published before it, so a recent answer means no announcement is held up.
 * Listeners are reset whenever the subscription is lost, re-established, or goes quiet, since
 * announcements may have been missed then (see revocation-channel-state.ts). A subscriber quiet
 * for three times that long is reconnected, so a half-open connection does not keep the
 * instance deaf. Announcements that could not be sent are sent again by the heartbeat.
 */
export function createRedisRevocationChannel(
  options: RedisRevocationChannelOptions,
): RevocationChannel {
  const { subscriber, publisher, channelName, logger, clock } = options;
  const heartbeatMs = options.heartbeatMs ?? 250;
  const healthyWithinMs = options.healthyWithinMs ?? 1000;
  const origin = randomUUID();
  const listeners = new Set<RevocationListener>();
  const outbox = createRevocationOutbox(publisher, channelName, logger);
  let state: ChannelState = UNSUBSCRIBED;

  function notify(call: (listener: RevocationListener) => void): void {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (error) {
        logger.error('revocation listener failed', error);
      }
    }
  }

  function apply(transition: Transition): void {
    state = transition.state;
    if (transition.resetListeners) notify((listener) => listener.reset());
  }

  function subscribe(): void {
    if (subscriber.status !== 'ready') return;
    const attempt = startSubscribing(state);
    if (attempt === null) return;
    state = attempt;
    subscriber.subscribe(channelName).then(
      () => apply(subscribed(state, attempt, clock.now())),
      (error: Error) => {
        apply(subscribeFailed(state, attempt));
        logger.warn('revocation channel could not subscribe', { error: error.message });
      },
    );
  }

  function onClose(): void {
    apply(connectionLost(state));
  }

  function onMessage(channel: string, text: string): void {
    if (channel !== channelName || state.kind === 'closed') return;
    apply(heard(state, clock.now()));
    const message = decodeRevocationMessage(text);
    if (message === null) {
      logger.warn('ignored a malformed revocation message', { length: text.length });
      return;
    }
    if (message.origin === origin) return; // delivered locally when published
    notify((listener) => listener.revoked(message.revocation));
  }

  /** Resolves once this beat's PING (if any) was answered or timed out; never rejects. */
  async function beat(): Promise<void> {
    outbox.resendUnsent();
    if (state.kind === 'unsubscribed') {
      subscribe();
      return;
    }
    apply(silenceChecked(state, clock.now(), healthyWithinMs));
    if (!isSubscribed(state)) return;
    const silence = silenceOf(state, clock.now());
    if (silence > 3 * healthyWithinMs) {
      logger.warn('revocation channel silent; reconnecting', { silentMs: Math.round(silence) });
      subscriber.disconnect(true);
      return;
    }
    try {
      await subscriber.ping();
      apply(heard(state, clock.now()));
    } catch {
      // No answer in time: the silence itself makes the channel unhealthy.
    }
  }

  subscriber.on('ready', subscribe);
  subscriber.on('close', onClose);
  subscriber.on('message', onMessage);
  const stopHeartbeat = (options.ticker ?? intervalTicker).every(heartbeatMs, beat);
  subscribe();

  return {
    async publish(revocation: Revocation) {
      notify((listener) => listener.revoked(revocation));
      await outbox.send(encodeRevocationMessage({ origin, revocation }));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    isHealthy() {
      return isHealthyAt(state, clock.now(), healthyWithinMs);
    },
    async close() {
      const wasSubscribed = isSubscribed(state);
      state = CLOSED;
      stopHeartbeat();
      subscriber.off('ready', subscribe);
      subscriber.off('close', onClose);
      subscriber.off('message', onMessage);
      listeners.clear();
      if (wasSubscribed && subscriber.status === 'ready') {
        await subscriber.unsubscribe(channelName).catch(() => {
          // Closing anyway: the connection's owner ends it next.
        });
      }
    },
  };
}
