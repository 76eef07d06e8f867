import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSecretBox,
  type SecretKey,
  SecretKeyRingError,
} from '../../../src/auth/factors/secret-box.js';
import { SecretBoxError } from '../../../src/auth/ports/secret-box.js';

const K1: SecretKey = { id: 'k1', key: randomBytes(32) };
const K2: SecretKey = { id: 'k2', key: randomBytes(32) };
const SECRET = 'JBSWY3DPEHPK3PXP';
const FACTOR = 'factor-1';

function expectRefused(open: () => string): void {
  expect(open).toThrow(SecretBoxError);
}

/** The five dot-separated parts of a sealed value, with one replaced. */
function withPart(sealed: string, index: number, part: string): string {
  const parts = sealed.split('.');
  parts[index] = part;
  return parts.join('.');
}

describe('createSecretBox', () => {
  it('opens what it sealed, in the format that names the key', () => {
    const box = createSecretBox([K1]);
    const sealed = box.seal(SECRET, FACTOR);
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(SECRET);
    expect(box.open(sealed, FACTOR)).toBe(SECRET);
    expect(box.isSealedWithCurrentKey(sealed)).toBe(true);
  });

  it('uses a fresh IV each time: the same secret seals differently', () => {
    const box = createSecretBox([K1]);
    const first = box.seal(SECRET, FACTOR);
    const second = box.seal(SECRET, FACTOR);
    expect(first.split('.')[2]).not.toBe(second.split('.')[2]);
    expect(first).not.toBe(second);
  });

  it('seals with the first key and opens with every key of the ring', () => {
    const old = createSecretBox([K1]).seal(SECRET, FACTOR);
    const ring = createSecretBox([K2, K1]);
    expect(ring.open(old, FACTOR)).toBe(SECRET);
    expect(ring.isSealedWithCurrentKey(old)).toBe(false);

    const fresh = ring.seal(SECRET, FACTOR);
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(ring.isSealedWithCurrentKey(fresh)).toBe(true);
    expect(createSecretBox([K2]).open(fresh, FACTOR)).toBe(SECRET);
  });

  it('refuses a value moved to another factor', () => {
    const box = createSecretBox([K1]);
    expectRefused(() => box.open(box.seal(SECRET, FACTOR), 'factor-2'));
  });

  it('refuses a value sealed under an unknown key id', () => {
    const sealed = createSecretBox([K2]).seal(SECRET, FACTOR);
    expect(() => createSecretBox([K1]).open(sealed, FACTOR)).toThrow(/key k2.*not in the key ring/);
    expectRefused(() => createSecretBox([K1]).open(sealed, FACTOR));
  });

  it('refuses a value relabelled with another key id of the ring', () => {
    const box = createSecretBox([K2, K1]);
    expectRefused(() => box.open(withPart(box.seal(SECRET, FACTOR), 1, 'k1'), FACTOR));
  });

  it('refuses a key with the right id but other bytes', () => {
    const sealed = createSecretBox([K1]).seal(SECRET, FACTOR);
    expectRefused(() => createSecretBox([{ id: 'k1', key: randomBytes(32) }]).open(sealed, FACTOR));
  });

  it('refuses tampering with the IV, the ciphertext or the tag', () => {
    const box = createSecretBox([K1]);
    const sealed = box.seal(SECRET, FACTOR);
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(sealed.split('.')[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      expectRefused(() => box.open(withPart(sealed, index, bytes.toString('base64url')), FACTOR));
    }
    // A shorter ciphertext (a truncated secret) fails too.
    const ciphertext = Buffer.from(sealed.split('.')[3] ?? '', 'base64url');
    const truncated = ciphertext.subarray(1).toString('base64url');
    expectRefused(() => box.open(withPart(sealed, 3, truncated), FACTOR));
  });

  it('refuses malformed text', () => {
    const box = createSecretBox([K1]);
    const sealed = box.seal(SECRET, FACTOR);
    const malformed = [
      '',
      SECRET,
      'v1.k1',
      `${sealed}.extra`,
      withPart(sealed, 0, 'v2'),
      withPart(sealed, 1, 'k 1'),
      withPart(sealed, 2, 'AAAA'),
      withPart(sealed, 4, 'AAAA'),
      withPart(sealed, 3, '+/+/'),
      withPart(sealed, 2, `${sealed.split('.')[2]}=`),
    ];
    for (const text of malformed) expectRefused(() => box.open(text, FACTOR));
    expect(box.isSealedWithCurrentKey(SECRET)).toBe(false);
    expect(box.isSealedWithCurrentKey(withPart(sealed, 0, 'v2'))).toBe(false);
  });

  it('needs a context to bind the value to', () => {
    const box = createSecretBox([K1]);
    expect(() => box.seal(SECRET, '')).toThrow(TypeError);
    expect(() => box.open(box.seal(SECRET, FACTOR), '')).toThrow(TypeError);
  });

  it('seals any text, empty and non-ASCII included', () => {
    const box = createSecretBox([K1]);
    for (const plain of ['', 'ünïcødé ✓', 'x'.repeat(1000)]) {
      expect(box.open(box.seal(plain, FACTOR), FACTOR)).toBe(plain);
    }
  });

  it('keeps its own copy of the keys', () => {
    const bytes = randomBytes(32);
    const box = createSecretBox([{ id: 'k1', key: bytes }]);
    const sealed = box.seal(SECRET, FACTOR);
    bytes.fill(0);
    expect(box.open(sealed, FACTOR)).toBe(SECRET);
  });

  it('refuses an unusable ring', () => {
    const bad: { ring: SecretKey[]; message: RegExp }[] = [
      { ring: [], message: /no key/ },
      {
        ring: [{ id: 'k1', key: randomBytes(16) }],
        message: /key 1 \(k1\) is 16 bytes; expected 32/,
      },
      { ring: [{ id: 'k1', key: randomBytes(33) }], message: /33 bytes/ },
      { ring: [{ id: '', key: randomBytes(32) }], message: /key 1 has the id ""/ },
      { ring: [{ id: 'k.1', key: randomBytes(32) }], message: /key 1 has the id "k.1"/ },
      { ring: [{ id: 'k'.repeat(33), key: randomBytes(32) }], message: /key 1 has the id/ },
      { ring: [K1, { id: 'k1', key: randomBytes(32) }], message: /key 2 repeats the id k1/ },
    ];
    for (const { ring, message } of bad) {
      expect(() => createSecretBox(ring)).toThrow(SecretKeyRingError);
      expect(() => createSecretBox(ring)).toThrow(message);
    }
    expect(() => createSecretBox([{ id: 'A-z_09', key: randomBytes(32) }])).not.toThrow();
  });
});

describe('SecretBox.digest', () => {
  it('is 32 bytes, the same for the same purpose and data, and differs otherwise', () => {
    const box = createSecretBox([K1]);
    const digest = box.digest('decoy', 'ann@example.com');
    expect(digest).toHaveLength(32);
    expect(box.digest('decoy', 'ann@example.com')).toEqual(digest);
    expect(createSecretBox([K1, K2]).digest('decoy', 'ann@example.com')).toEqual(digest);
    expect(box.digest('decoy', 'bob@example.com')).not.toEqual(digest);
    expect(box.digest('other', 'ann@example.com')).not.toEqual(digest);
  });

  it('follows the sealing key: another first key gives other bytes', () => {
    const digest = createSecretBox([K1]).digest('decoy', 'ann@example.com');
    expect(createSecretBox([K2, K1]).digest('decoy', 'ann@example.com')).not.toEqual(digest);
  });
});
