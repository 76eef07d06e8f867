/*
 * The revocation channel's subscription, as a state machine of pure functions. Each event
 * returns the next state and whether listeners must be reset: a reset is due whenever
 * announcements may have been missed (the subscription was lost, went quiet, or restarted).
 *
 *   unsubscribed -> subscribing    startSubscribing: the connection is ready, or a beat retries
 *   subscribing  -> listening      subscribed: delivery (re)starts, reset
 *   subscribing  -> unsubscribed   subscribeFailed, connectionLost
 *   listening    -> quiet          silenceChecked: silent past the health window, reset
 *   quiet        -> listening      heard
 *   listening, quiet -> unsubscribed   connectionLost: the subscription went with it, reset
 *   any          -> closed         the owner closed the channel; final
 */

export type ChannelState =
  /** Not subscribed: waiting for the subscriber connection to be ready, or for a retry. */
  | { readonly kind: 'unsubscribed' }
  /** SUBSCRIBE sent on the current connection; each attempt is its own object. */
  | { readonly kind: 'subscribing' }
  /** Subscribed, and the server was heard at `lastHeardAt` (clock milliseconds). */
  | { readonly kind: 'listening'; readonly lastHeardAt: number }
  /** Subscribed, but silent past the health window: listeners were reset when it went quiet. */
  | { readonly kind: 'quiet'; readonly lastHeardAt: number }
  /** Closed by its owner; no event leaves this state. */
  | { readonly kind: 'closed' };

export type SubscribingState = Extract<ChannelState, { kind: 'subscribing' }>;
export type SubscribedState = Extract<ChannelState, { kind: 'listening' | 'quiet' }>;

export interface Transition {
  readonly state: ChannelState;
  /** Announcements may have been missed: listeners must forget what they learnt. */
  readonly resetListeners: boolean;
}

export const UNSUBSCRIBED: ChannelState = { kind: 'unsubscribed' };
export const CLOSED: ChannelState = { kind: 'closed' };

function stay(state: ChannelState): Transition {
  return { state, resetListeners: false };
}

export function isSubscribed(state: ChannelState): state is SubscribedState {
  return state.kind === 'listening' || state.kind === 'quiet';
}

/** Milliseconds since the server was last heard; negative when the clock went back. */
export function silenceOf(state: SubscribedState, now: number): number {
  return now - state.lastHeardAt;
}

/** Heard within the window. A clock that went back proves nothing, so it counts as silence. */
function heardWithin(state: SubscribedState, now: number, windowMs: number): boolean {
  const silence = silenceOf(state, now);
  return silence >= 0 && silence <= windowMs;
}

/** Healthy: subscribed on the current connection and heard from within `windowMs`. */
export function isHealthyAt(state: ChannelState, now: number, windowMs: number): boolean {
  return state.kind === 'listening' && heardWithin(state, now, windowMs);
}

/** A new subscribe attempt, or null when one is not due (already subscribing, subscribed, closed). */
export function startSubscribing(state: ChannelState): SubscribingState | null {
  return state.kind === 'unsubscribed' ? { kind: 'subscribing' } : null;
}

/** SUBSCRIBE succeeded. Only the current attempt counts: a stale answer changes nothing. */
export function subscribed(
  state: ChannelState,
  attempt: SubscribingState,
  now: number,
): Transition {
  if (state !== attempt) return stay(state);
  // Delivery (re)starts: whatever was published before it may have been missed.
  return { state: { kind: 'listening', lastHeardAt: now }, resetListeners: true };
}

/** SUBSCRIBE failed; the heartbeat tries again while the connection is ready. */
export function subscribeFailed(state: ChannelState, attempt: SubscribingState): Transition {
  return stay(state === attempt ? UNSUBSCRIBED : state);
}

/** The subscriber connection closed: the subscription, if any, went with it. */
export function connectionLost(state: ChannelState): Transition {
  if (state.kind === 'subscribing') return stay(UNSUBSCRIBED);
  if (isSubscribed(state)) return { state: UNSUBSCRIBED, resetListeners: true };
  return stay(state);
}

/** The server answered the subscriber (a message, or a heartbeat's PING). */
export function heard(state: ChannelState, now: number): Transition {
  if (!isSubscribed(state)) return stay(state);
  return stay({ kind: 'listening', lastHeardAt: now });
}

/** The heartbeat's check: silent past the window turns quiet, resetting the listeners once. */
export function silenceChecked(state: ChannelState, now: number, windowMs: number): Transition {
  if (state.kind !== 'listening' || heardWithin(state, now, windowMs)) return stay(state);
  return { state: { kind: 'quiet', lastHeardAt: state.lastHeardAt }, resetListeners: true };
}
