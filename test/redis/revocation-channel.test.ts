import { expect, it } from 'vitest';
import type { Revocation } from '../../src/auth/ports/revocation-channel.js';
import { createRecordingLogger } from '../helpers/recording-logger.js';
import { describeWithRedis, waitFor } from '../helpers/redis.js';
import { revocationsOf, useRevocationChannels } from './revocation-channel-harness.js';

// What the channel delivers, and to whom. Its health is in revocation-channel-health.test.ts.

describeWithRedis('Redis revocation channel', () => {
  const { channelName, connect, openChannel, openProxy, publishMarker } = useRevocationChannels();

  it('carries a revocation to another instance in well under a second', async () => {
    const a = await openChannel();
    const b = await openChannel();
    const revocation: Revocation = { kind: 'session', sessionId: 's1' };
    const sent = performance.now();
    await a.channel.publish(revocation);
    // This instance's own listeners hear it at once.
    expect(revocationsOf(a.listener)).toEqual([revocation]);
    await waitFor(() => b.listener.revocations.length > 0, 3000);
    const [arrived] = b.listener.revocations;
    expect(arrived?.revocation).toEqual(revocation);
    expect((arrived?.at ?? Number.POSITIVE_INFINITY) - sent).toBeLessThan(1000);

    const userWide: Revocation = { kind: 'user', userId: 'u1', exceptSessionId: 's2' };
    await b.channel.publish(userWide);
    // Once a later marker has arrived, so would any echo from Redis have: each hears each once.
    const marker = await publishMarker(a.listener, b.listener);
    expect(revocationsOf(a.listener)).toEqual([revocation, userWide, marker]);
    expect(revocationsOf(b.listener)).toEqual([revocation, userWide, marker]);
  });

  it('ignores and logs a malformed message', async () => {
    const logger = createRecordingLogger();
    const a = await openChannel({ logger });
    const raw = await connect('raw-publisher');
    for (const text of [
      'not json',
      '{"kind":"session"}',
      '{"origin":"x","kind":"user","userId":"u1"}',
      '{"origin":"x","kind":"everything"}',
    ]) {
      await raw.publish(channelName(), text);
    }
    await raw.publish(channelName(), '{"origin":"x","kind":"session","sessionId":"s9"}');
    await waitFor(() => a.listener.revocations.length === 1, 1000);
    expect(revocationsOf(a.listener)).toEqual([{ kind: 'session', sessionId: 's9' }]);
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(4);
  });

  it('never throws when publishing fails, and a beat sends it once Redis is back', async () => {
    const proxy = await openProxy();
    const logger = createRecordingLogger();
    const a = await openChannel({ proxy, logger });
    const b = await openChannel();
    proxy.cut();
    await waitFor(() => a.publisher.status !== 'ready', 1000);
    const revocation: Revocation = { kind: 'session', sessionId: 'during-outage' };
    await expect(a.channel.publish(revocation)).resolves.toBeUndefined();
    expect(revocationsOf(a.listener)).toEqual([revocation]);
    expect(
      logger.entries.some((entry) => entry.message.startsWith('revocation announcement')),
    ).toBe(true);
    proxy.restore();
    await waitFor(() => a.publisher.status === 'ready', 3000);
    await a.ticker.tick(); // the beat that resends what was kept
    await waitFor(() => b.listener.revocations.length === 1, 1000);
    expect(revocationsOf(b.listener)).toEqual([revocation]);
  });

  it('hears nothing once closed, and leaves the pub/sub channel', async () => {
    const a = await openChannel();
    const b = await openChannel();
    await a.channel.close();
    expect(a.channel.isHealthy()).toBe(false);
    expect(await b.publisher.pubsub('NUMSUB', channelName())).toEqual([channelName(), 1]);
    await b.channel.publish({ kind: 'session', sessionId: 's1' });
    // Redis answers a PING on a's connection only after what was published before it: once
    // answered, an announcement still on its way to a would have arrived.
    await a.subscriber.ping();
    expect(a.listener.revocations).toEqual([]);
  });
});
