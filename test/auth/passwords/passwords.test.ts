import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  checkPasswordPolicy,
  createArgon2PasswordHasher,
} from '../../../src/auth/passwords/passwords.js';

describe('checkPasswordPolicy', () => {
  it.each([
    ['1234567', 'PASSWORD_TOO_SHORT'],
    ['🔑'.repeat(7), 'PASSWORD_TOO_SHORT'],
    ['x'.repeat(129), 'PASSWORD_TOO_LONG'],
    ['x'.repeat(1_000_000), 'PASSWORD_TOO_LONG'],
  ])('refuses a password of the wrong length (%#) with %s', (password, reason) => {
    expect(checkPasswordPolicy(password)).toEqual({ reason, field: 'password' });
  });

  it.each(['12345678', 'x'.repeat(128), '🔑'.repeat(8), 'all lower case words', 'ÅÅÅÅÅÅÅÅ'])(
    'accepts %j without composition rules',
    (password) => {
      expect(checkPasswordPolicy(password)).toBeNull();
    },
  );
});

describe('createArgon2PasswordHasher', () => {
  const hasher = createArgon2PasswordHasher();

  it('hashes with Argon2id at m=19456 KiB, t=2, p=1 and a random salt', async () => {
    const [first, second] = await Promise.all([
      hasher.hash('password one'),
      hasher.hash('password one'),
    ]);
    expect(parseOptions(first)).toMatchObject({
      algorithm: 2,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(first).not.toBe(second);
  });

  it('verifies the right password only', async () => {
    const stored = await hasher.hash('password one');
    await expect(hasher.verify(stored, 'password one')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'password two')).resolves.toBe(false);
  });

  it('treats compatibility forms of a character as the same password (NFKC)', async () => {
    const stored = await hasher.hash('ﬁreﬁghter'); // with the U+FB01 ligature
    await expect(hasher.verify(stored, 'firefighter')).resolves.toBe(true);
  });

  it('verifies nothing against a malformed hash instead of throwing', async () => {
    await expect(hasher.verify('not a hash', 'password one')).resolves.toBe(false);
  });

  it('resolves the dummy verification to false', async () => {
    await expect(hasher.verifyDummy('anything at all')).resolves.toBe(false);
  });

  it('asks for a rehash only when parameters differ', async () => {
    const { hash } = await import('@node-rs/argon2');
    expect(hasher.needsRehash(await hasher.hash('password one'))).toBe(false);
    const weak = await hash('password one', {
      algorithm: 2,
      memoryCost: 8192,
      timeCost: 2,
      parallelism: 1,
    });
    expect(hasher.needsRehash(weak)).toBe(true);
  });

  it('keeps the event loop responsive while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    await Promise.all([hasher.hash('password one'), hasher.hash('password two')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
