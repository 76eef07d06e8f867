import { describe, expect, it } from 'vitest';
import { createDenylist } from '../src/denylist.js';

// Memory is bounded by one token lifetime of revocations: each session is held until no
// access token of it can still be valid (its exp plus the clock tolerance), then dropped.

describe('createDenylist', () => {
  it('holds each session until exp plus the tolerance, then drops it', () => {
    const denylist = createDenylist(5);
    const now = 1_000_000;
    for (let i = 0; i < 1_000; i += 1) denylist.add(`s${i}`, now + (i % 2 === 0 ? 60 : 900));
    expect(denylist.size).toBe(1_000);
    expect(denylist.has('s0', now + 65)).toBe(true); // exp + tolerance: a token may still pass
    expect(denylist.has('s0', now + 66)).toBe(false);
    expect(denylist.size).toBe(500); // the even half expired together and is gone
    expect(denylist.has('s1', now + 66)).toBe(true);
    expect(denylist.has('s1', now + 906)).toBe(false);
    expect(denylist.size).toBe(0);
  });

  it('keeps the latest exp announced for a session, never an earlier one', () => {
    const denylist = createDenylist(5);
    denylist.add('s', 2_000);
    denylist.add('s', 1_000); // a replayed, older announcement
    expect(denylist.has('s', 1_500)).toBe(true);
    expect(denylist.has('s', 2_006)).toBe(false);
  });

  it('forgets everything on clear (a reset event)', () => {
    const denylist = createDenylist(5);
    denylist.add('s', 2_000);
    denylist.clear();
    expect(denylist.has('s', 1_000)).toBe(false);
    expect(denylist.size).toBe(0);
  });
});
