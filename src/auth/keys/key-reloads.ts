import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../clock.js';
import type { KeySnapshot } from './key-snapshot.js';

/** How long a failed periodic reload waits before the next attempt. */
export const RELOAD_RETRY_MS = 5000;

/** The newest snapshot of a ring, and the one way to replace it. */
export interface SnapshotSlot {
  current(): KeySnapshot;
  /** Reads the source now. Rejects when the read fails, and the current snapshot stays. */
  reload(): Promise<void>;
}

/**
 * Reads a first snapshot, then holds the newest. Reads may overlap (periodic, unknown kid,
 * explicit refresh) and finish in any order: each is numbered when it starts, and a slower,
 * older read never replaces a newer one.
 */
export async function openSnapshotSlot(read: () => Promise<KeySnapshot>): Promise<SnapshotSlot> {
  let readsStarted = 0;
  async function readNumbered(): Promise<{
    readonly number: number;
    readonly snapshot: KeySnapshot;
  }> {
    const number = ++readsStarted;
    return { number, snapshot: await read() };
  }

  let newest = await readNumbered();
  return {
    current: () => newest.snapshot,
    async reload() {
      const read = await readNumbered();
      if (read.number > newest.number) newest = read;
    },
  };
}

/** Where the periodic reload stands. */
type PeriodicReload =
  /** No reload running: the next use of a snapshot past the interval starts one. */
  | { readonly phase: 'idle' }
  /** Uses of a stale snapshot wait for this one reload. */
  | { readonly phase: 'reloading'; readonly done: Promise<void> }
  /** The last reload failed: the stale snapshot is served until `at`, then one is tried again. */
  | { readonly phase: 'retrying'; readonly at: number };

/**
 * The snapshot to use now, reloaded first once it is `refreshMs` old. A reload that fails (the
 * store is briefly unavailable) keeps the last good snapshot in service, so tokens keep
 * verifying and signing; the next attempt comes after {@link RELOAD_RETRY_MS}.
 */
export function createPeriodicReload(
  slot: SnapshotSlot,
  clock: Clock,
  refreshMs: number,
): () => Promise<KeySnapshot> {
  let state: PeriodicReload = { phase: 'idle' };

  function startReload(): Promise<void> {
    const done = slot.reload().then(
      () => {
        state = { phase: 'idle' };
      },
      () => {
        state = { phase: 'retrying', at: clock.now() + RELOAD_RETRY_MS };
      },
    );
    state = { phase: 'reloading', done };
    return done;
  }

  return async function currentSnapshot() {
    const now = clock.now();
    if (now - slot.current().loadedAt < refreshMs) return slot.current();
    if (state.phase === 'reloading') await state.done;
    else if (state.phase === 'idle' || now >= state.at) await startReload();
    return slot.current();
  };
}

/** Where reloads for unknown kids stand. */
type UnknownKidReload =
  /** The next request schedules a reload, to start `intervalMs` after the previous one did. */
  | { readonly phase: 'ready'; readonly lastStartedAt: number }
  /** A reload is waiting for its turn; requests arriving now join it. */
  | { readonly phase: 'scheduled'; readonly reload: Promise<void> };

/**
 * A reload for a token whose kid the snapshot does not know, started at most once per
 * `intervalMs`. A request inside that window waits for the next reload instead of failing, so a
 * genuine new key is always found, and a flood of made-up kids costs one read per window. The
 * returned promise rejects when that reload fails.
 */
export function createUnknownKidReload(
  slot: SnapshotSlot,
  clock: Clock,
  intervalMs: number,
): () => Promise<void> {
  let state: UnknownKidReload = { phase: 'ready', lastStartedAt: Number.NEGATIVE_INFINITY };

  return function reloadForUnknownKid() {
    // Join a reload that has not started yet: it reads the source after this request arrived.
    if (state.phase === 'scheduled') return state.reload;
    const wait = Math.min(Math.max(state.lastStartedAt + intervalMs - clock.now(), 0), intervalMs);
    const reload = sleep(wait).then(() => {
      state = { phase: 'ready', lastStartedAt: clock.now() };
      return slot.reload();
    });
    state = { phase: 'scheduled', reload };
    return reload;
  };
}
