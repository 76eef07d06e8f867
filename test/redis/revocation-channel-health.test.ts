import { expect, it } from 'vitest';
import type { Revocation } from '../../src/auth/ports/revocation-channel.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';
import { describeWithRedis, waitFor } from '../helpers/redis.js';
import {
  HEALTH_WINDOW_MS,
  HEARTBEAT_MS,
  revocationsOf,
  useRevocationChannels,
} from './revocation-channel-harness.js';

// When the channel may be trusted: subscribed, and heard from within the last second. Each
// channel has a test clock and a heart that beats only when the test ticks it.

describeWithRedis('Redis revocation channel health', () => {
  const { openChannel, openProxy } = useRevocationChannels();

  it('is healthy once subscribed, resetting its listeners then, and beats keep it so', async () => {
    const a = await openChannel();
    expect(a.channel.isHealthy()).toBe(true);
    expect(a.listener.resets).toBe(1);
    // Every beat's PING is answered: healthy well past the one-second window, no reset.
    for (let elapsed = 0; elapsed < 3 * HEALTH_WINDOW_MS; elapsed += HEARTBEAT_MS) {
      a.clock.advanceMilliseconds(HEARTBEAT_MS);
      await a.ticker.tick();
      expect(a.channel.isHealthy()).toBe(true);
    }
    expect(a.listener.resets).toBe(1);
  });

  it('turns unhealthy the millisecond the window ends unheard, resetting at the next beat', async () => {
    const a = await openChannel();
    a.clock.advanceMilliseconds(HEALTH_WINDOW_MS);
    expect(a.channel.isHealthy()).toBe(true);
    a.clock.advanceMilliseconds(1);
    expect(a.channel.isHealthy()).toBe(false);
    expect(a.listener.resets).toBe(1);
    // The beat finds it quiet (a reset), then its PING is answered: healthy again.
    await a.ticker.tick();
    expect(a.listener.resets).toBe(2);
    expect(a.channel.isHealthy()).toBe(true);
  });

  it('turns unhealthy and resets when its connections are cut, and recovers after', async () => {
    const proxy = await openProxy();
    const a = await openChannel({ proxy });
    const b = await openChannel();
    expect(a.listener.resets).toBe(1);

    proxy.cut();
    await waitFor(() => !a.channel.isHealthy(), 1000);
    expect(a.listener.resets).toBe(2);

    proxy.restore();
    // No beat: it subscribes again once the connection is back, within the reconnection
    // backoff's one-second cap and a few round trips.
    const recoveredIn = await waitFor(() => a.channel.isHealthy(), 5000);
    expect(recoveredIn).toBeLessThan(2000);
    // Re-subscribing resets again: announcements made meanwhile were missed.
    expect(a.listener.resets).toBe(3);

    const after: Revocation = { kind: 'session', sessionId: 'after' };
    await b.channel.publish(after);
    await waitFor(() => a.listener.revocations.length === 1, 1000);
    expect(revocationsOf(a.listener)).toEqual([after]);
  });

  it('stays unhealthy while the server stops answering, before the connection fails', async () => {
    const proxy = await openProxy();
    const a = await openChannel({ proxy });
    const b = await openChannel();
    proxy.stall();
    a.clock.advanceMilliseconds(HEALTH_WINDOW_MS + 1);
    // The beat finds it quiet (a reset); its PING times out unanswered, renewing nothing.
    await a.ticker.tick();
    expect(a.channel.isHealthy()).toBe(false);
    expect(a.listener.resets).toBe(2);
    expect(a.subscriber.status).toBe('ready');
    // Announcements made meanwhile are held back with the heartbeat's answers, and arrive.
    const held: Revocation = { kind: 'session', sessionId: 'held' };
    await b.channel.publish(held);
    proxy.restore();
    await waitFor(() => a.listener.revocations.length === 1, 1000);
    expect(revocationsOf(a.listener)).toEqual([held]);
    // Hearing it is hearing the server: healthy again, without another reset.
    expect(a.channel.isHealthy()).toBe(true);
    expect(a.listener.resets).toBe(2);
  });

  it('reconnects a subscriber silent for longer than three windows', async () => {
    const proxy = await openProxy();
    const logger = createRecordingLogger();
    const a = await openChannel({ proxy, logger });
    const reconnects = () =>
      logger.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.fields);
    proxy.stall();
    a.clock.advanceMilliseconds(3 * HEALTH_WINDOW_MS);
    const unanswered = a.ticker.tick(); // quiet (a reset), and a PING
    expect(reconnects()).toEqual([]);
    a.clock.advanceMilliseconds(1);
    await a.ticker.tick();
    expect(reconnects()).toEqual([{ silentMs: 3 * HEALTH_WINDOW_MS + 1 }]);
    await waitFor(() => a.subscriber.status !== 'ready', 1000);
    expect(a.listener.resets).toBe(3); // quiet, then the subscription lost with the connection
    proxy.restore();
    await waitFor(() => a.channel.isHealthy(), 3000);
    expect(a.listener.resets).toBe(4); // subscribed anew
    await unanswered;
  });
});
