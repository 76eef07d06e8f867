import { describe, expect, it } from 'vitest';
import {
  type ChannelState,
  CLOSED,
  connectionLost,
  heard,
  isHealthyAt,
  silenceChecked,
  startSubscribing,
  subscribed,
  subscribeFailed,
  UNSUBSCRIBED,
} from '../../src/redis/revocation-channel-state.js';

// The subscription's states and transitions, without Redis: which events reset the listeners,
// and where the health window ends.

const WINDOW = 1000;
const T = 50_000;

function listening(lastHeardAt: number): ChannelState {
  return { kind: 'listening', lastHeardAt };
}

describe('the revocation channel state', () => {
  it('subscribes from unsubscribed only, and resets when the subscription starts', () => {
    const attempt = startSubscribing(UNSUBSCRIBED);
    expect(attempt).toEqual({ kind: 'subscribing' });
    if (attempt === null) throw new Error('expected an attempt');
    expect(startSubscribing(attempt)).toBeNull();
    expect(startSubscribing(listening(T))).toBeNull();
    expect(startSubscribing(CLOSED)).toBeNull();
    expect(subscribed(attempt, attempt, T)).toEqual({
      state: listening(T),
      resetListeners: true,
    });
    expect(subscribeFailed(attempt, attempt)).toEqual({
      state: UNSUBSCRIBED,
      resetListeners: false,
    });
  });

  it('ignores the answer to an attempt that is no longer the current one', () => {
    const stale = startSubscribing(UNSUBSCRIBED);
    const current = startSubscribing(UNSUBSCRIBED);
    if (stale === null || current === null) throw new Error('expected two attempts');
    for (const state of [current, UNSUBSCRIBED, CLOSED]) {
      expect(subscribed(state, stale, T)).toEqual({ state, resetListeners: false });
      expect(subscribeFailed(state, stale)).toEqual({ state, resetListeners: false });
    }
  });

  it('is healthy while listening and heard within the window, to the millisecond', () => {
    expect(isHealthyAt(listening(T), T + WINDOW, WINDOW)).toBe(true);
    expect(isHealthyAt(listening(T), T + WINDOW + 1, WINDOW)).toBe(false);
    expect(isHealthyAt({ kind: 'quiet', lastHeardAt: T }, T, WINDOW)).toBe(false);
    expect(isHealthyAt(UNSUBSCRIBED, T, WINDOW)).toBe(false);
    expect(isHealthyAt({ kind: 'subscribing' }, T, WINDOW)).toBe(false);
    expect(isHealthyAt(CLOSED, T, WINDOW)).toBe(false);
  });

  it('takes a clock that went back for silence, not for a recent answer', () => {
    expect(isHealthyAt(listening(T), T - 1, WINDOW)).toBe(false);
    expect(silenceChecked(listening(T), T - 1, WINDOW)).toEqual({
      state: { kind: 'quiet', lastHeardAt: T },
      resetListeners: true,
    });
  });

  it('goes quiet past the window with one reset, and listens again once heard', () => {
    expect(silenceChecked(listening(T), T + WINDOW, WINDOW)).toEqual({
      state: listening(T),
      resetListeners: false,
    });
    const quiet = silenceChecked(listening(T), T + WINDOW + 1, WINDOW);
    expect(quiet).toEqual({ state: { kind: 'quiet', lastHeardAt: T }, resetListeners: true });
    expect(silenceChecked(quiet.state, T + 5 * WINDOW, WINDOW)).toEqual({
      state: quiet.state,
      resetListeners: false,
    });
    expect(heard(quiet.state, T + 2 * WINDOW)).toEqual({
      state: listening(T + 2 * WINDOW),
      resetListeners: false,
    });
  });

  it('resets when a subscription is lost, and only then', () => {
    for (const state of [listening(T), { kind: 'quiet', lastHeardAt: T } as const]) {
      expect(connectionLost(state)).toEqual({ state: UNSUBSCRIBED, resetListeners: true });
    }
    expect(connectionLost({ kind: 'subscribing' })).toEqual({
      state: UNSUBSCRIBED,
      resetListeners: false,
    });
    for (const state of [UNSUBSCRIBED, CLOSED]) {
      expect(connectionLost(state)).toEqual({ state, resetListeners: false });
    }
  });

  it('hears nothing unless subscribed', () => {
    for (const state of [UNSUBSCRIBED, { kind: 'subscribing' } as const, CLOSED]) {
      expect(heard(state, T)).toEqual({ state, resetListeners: false });
    }
  });
});
