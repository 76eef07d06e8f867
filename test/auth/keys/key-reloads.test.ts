import { generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPeriodicReload,
  createUnknownKidReload,
  openSnapshotSlot,
  RELOAD_RETRY_MS,
  type SnapshotSlot,
} from '../../../src/auth/keys/key-reloads.js';
import type { KeySnapshot } from '../../../src/auth/keys/key-snapshot.js';
import type { SigningKey } from '../../../src/auth/keys/signing-keys.js';
import { createTestClock, type TestClock } from '../../helpers/clock.js';

let signing: SigningKey;
beforeAll(async () => {
  const { privateKey } = await generateKeyPair('EdDSA');
  signing = { kid: 'k', alg: 'EdDSA', privateKey };
});

function snapshotAt(loadedAt: number): KeySnapshot {
  return { loadedAt, signing, keys: new Map() };
}

/** A source whose reads finish only when told to, in any order. */
function createHeldReads() {
  const pending: Array<{ finish: () => void; fail: () => void }> = [];
  return {
    pending,
    read(loadedAt: number): Promise<KeySnapshot> {
      return new Promise((resolve, reject) => {
        pending.push({
          finish: () => resolve(snapshotAt(loadedAt)),
          fail: () => reject(new Error('database is locked')),
        });
      });
    },
  };
}

/** A slot that counts reloads; each reload reads the clock, or fails while `failing`. */
function createCountingSlot(clock: TestClock) {
  let snapshot = snapshotAt(clock.now());
  const slot: SnapshotSlot & { reloads: number; failing: boolean } = {
    reloads: 0,
    failing: false,
    current: () => snapshot,
    async reload() {
      slot.reloads += 1;
      if (slot.failing) throw new Error('database is locked');
      snapshot = snapshotAt(clock.now());
    },
  };
  return slot;
}

describe('openSnapshotSlot', () => {
  it('keeps the newest read when an older one finishes last', async () => {
    const reads = createHeldReads();
    let loadedAt = 0;
    const opening = openSnapshotSlot(() => reads.read(++loadedAt));
    reads.pending[0]?.finish();
    const slot = await opening;
    const older = slot.reload();
    const newer = slot.reload();
    reads.pending[2]?.finish();
    await newer;
    reads.pending[1]?.finish();
    await older;
    expect(slot.current().loadedAt).toBe(3);
  });

  it('keeps the current snapshot when a reload fails, and says so', async () => {
    const reads = createHeldReads();
    const opening = openSnapshotSlot(() => reads.read(1));
    reads.pending[0]?.finish();
    const slot = await opening;
    const failed = slot.reload();
    reads.pending[1]?.fail();
    await expect(failed).rejects.toThrow();
    expect(slot.current().loadedAt).toBe(1);
  });
});

describe('createPeriodicReload', () => {
  it('serves a fresh snapshot as is, and reloads a stale one once for all who wait', async () => {
    const clock = createTestClock();
    const slot = createCountingSlot(clock);
    const currentSnapshot = createPeriodicReload(slot, clock, 60_000);
    clock.advanceSeconds(59);
    await currentSnapshot();
    expect(slot.reloads).toBe(0);
    clock.advanceSeconds(1);
    const snapshots = await Promise.all([currentSnapshot(), currentSnapshot(), currentSnapshot()]);
    expect(slot.reloads).toBe(1);
    expect(snapshots.map((snapshot) => snapshot.loadedAt)).toEqual(Array(3).fill(clock.now()));
  });

  it('after a failed reload, serves the stale snapshot and tries again only after the retry delay', async () => {
    const clock = createTestClock();
    const slot = createCountingSlot(clock);
    const first = slot.current();
    const currentSnapshot = createPeriodicReload(slot, clock, 60_000);
    slot.failing = true;
    clock.advanceSeconds(60);
    expect(await currentSnapshot()).toBe(first);
    expect(slot.reloads).toBe(1);
    clock.advanceSeconds(RELOAD_RETRY_MS / 1000 - 1);
    expect(await currentSnapshot()).toBe(first);
    expect(slot.reloads).toBe(1);

    slot.failing = false;
    clock.advanceSeconds(1);
    expect((await currentSnapshot()).loadedAt).toBe(clock.now());
    expect(slot.reloads).toBe(2);
    // Back to the ordinary interval.
    clock.advanceSeconds(59);
    await currentSnapshot();
    expect(slot.reloads).toBe(2);
  });
});

describe('createUnknownKidReload', () => {
  it('joins requests into one reload, and starts the next one interval after the last', async () => {
    const clock = createTestClock();
    const slot = createCountingSlot(clock);
    const reloadForUnknownKid = createUnknownKidReload(slot, clock, 50);
    await Promise.all([reloadForUnknownKid(), reloadForUnknownKid(), reloadForUnknownKid()]);
    expect(slot.reloads).toBe(1);
    // The clock has not moved: the next reload waits out the interval, then runs once for both.
    const next = [reloadForUnknownKid(), reloadForUnknownKid()];
    expect(slot.reloads).toBe(1);
    await Promise.all(next);
    expect(slot.reloads).toBe(2);
  });

  it('starts at once when the interval has passed, and reports a failed reload', async () => {
    const clock = createTestClock();
    const slot = createCountingSlot(clock);
    const reloadForUnknownKid = createUnknownKidReload(slot, clock, 60_000);
    await reloadForUnknownKid();
    clock.advanceSeconds(60);
    slot.failing = true;
    await expect(reloadForUnknownKid()).rejects.toThrow();
    expect(slot.reloads).toBe(2);
  });
});
