import type { PasswordHasher } from '../../src/auth/passwords/passwords.js';

/**
 * A hasher without Argon2, for tests about something else (store faults, say) that would
 * otherwise spend most of their time hashing. A hash is the normalised password, tagged, so
 * `verify` still tells the right password from a wrong one. Never outside tests.
 */
export const PLAIN_PASSWORD_HASHER: PasswordHasher = {
  async hash(password) {
    return `plain:${password.normalize('NFKC')}`;
  },
  async verify(passwordHash, password) {
    return passwordHash === `plain:${password.normalize('NFKC')}`;
  },
  async verifyDummy() {
    return false;
  },
  needsRehash: (passwordHash) => !passwordHash.startsWith('plain:'),
};
