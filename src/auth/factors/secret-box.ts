import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { type SecretBox, SecretBoxError } from '../ports/secret-box.js';

/** One key of the ring: an id written into every value it seals, and 32 random bytes. */
export interface SecretKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/** Key ids appear in sealed text between dots, so they are restricted to base64url characters. */
export const SECRET_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** AES-256 takes a 256-bit key. */
export const SECRET_KEY_BYTES = 32;

/** A key ring that cannot be used; names the key's position and id, never its bytes. */
export class SecretKeyRingError extends Error {
  override readonly name = 'SecretKeyRingError';
}

const VERSION = 'v1';
// A random 96-bit IV per seal: GCM's native IV size. Random IVs stay safe far beyond the number
// of TOTP secrets one key will ever seal (the bound is about 2^32 seals per key).
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * A {@link SecretBox} with AES-256-GCM under `keys`: the first key seals, every key opens.
 * Sealed text is `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The authenticated data
 * binds the version, the key id and the context (the factor's id): a value copied onto another
 * row, or given another key id, fails the tag.
 *
 * @throws SecretKeyRingError for an empty ring, a malformed or repeated id, or a key that is not
 *   32 bytes.
 */
export function createSecretBox(keys: readonly SecretKey[]): SecretBox {
  const ring = readRing(keys);
  const currentId = keys[0]?.id ?? '';
  const currentKey = ring.get(currentId);
  if (currentKey === undefined) throw new SecretKeyRingError('the key ring holds no key');

  // A key of its own per purpose (HKDF), so no digest is ever computed under the sealing key;
  // derived once per purpose, not per digest.
  const sealingKey: KeyObject = currentKey;
  const digestKeys = new Map<string, Buffer>();
  function digestKey(purpose: string): Buffer {
    let key = digestKeys.get(purpose);
    if (key === undefined) {
      const info = `secret-box digest: ${purpose}`;
      key = Buffer.from(hkdfSync('sha256', sealingKey, Buffer.alloc(0), info, 32));
      digestKeys.set(purpose, key);
    }
    return key;
  }

  return {
    seal(plain, context) {
      requireContext(context);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(currentId, context));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, currentId, iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed, context) {
      requireContext(context);
      const parts = parseSealed(sealed);
      const key = ring.get(parts.keyId);
      if (key === undefined) {
        throw new SecretBoxError(`sealed with key ${parts.keyId}, which is not in the key ring`);
      }
      const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(parts.keyId, context));
      decipher.setAuthTag(parts.tag);
      try {
        return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // Only the tag check throws here: altered text, another key of the same id, or a value
        // that belongs to another factor. Which of them is deliberately not told apart.
        throw new SecretBoxError('the sealed value does not authenticate for this context');
      }
    },
    isSealedWithCurrentKey(sealed) {
      const [version, keyId] = sealed.split('.', 2);
      return version === VERSION && keyId === currentId;
    },
    digest(purpose, data) {
      return createHmac('sha256', digestKey(purpose)).update(data, 'utf8').digest();
    },
  };
}

function readRing(keys: readonly SecretKey[]): Map<string, KeyObject> {
  const ring = new Map<string, KeyObject>();
  for (const [index, { id, key }] of keys.entries()) {
    const position = `key ${index + 1}`;
    if (!SECRET_KEY_ID_PATTERN.test(id)) {
      throw new SecretKeyRingError(
        `${position} has the id ${JSON.stringify(id)}; expected 1 to 32 of A-Z a-z 0-9 _ -`,
      );
    }
    if (ring.has(id)) throw new SecretKeyRingError(`${position} repeats the id ${id}`);
    if (key.byteLength !== SECRET_KEY_BYTES) {
      throw new SecretKeyRingError(
        `${position} (${id}) is ${key.byteLength} bytes; expected ${SECRET_KEY_BYTES}`,
      );
    }
    // A KeyObject holds its own copy: changing the caller's array later changes nothing here.
    ring.set(id, createSecretKey(Uint8Array.from(key)));
  }
  return ring;
}

/** Without a context the value would open on any row, which is what the binding prevents. */
function requireContext(context: string): void {
  if (context === '') throw new TypeError('a secret is sealed for a context: the factor id');
}

function additionalData(keyId: string, context: string): Buffer {
  // The key id has no dot, so the context (anything) is unambiguously the rest.
  return Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8');
}

interface SealedParts {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function parseSealed(sealed: string): SealedParts {
  const parts = sealed.split('.');
  if (parts.length !== 5) throw new SecretBoxError('not a sealed value: expected five parts');
  const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== VERSION) throw new SecretBoxError('not a sealed value: unknown version');
  if (!SECRET_KEY_ID_PATTERN.test(keyId)) {
    throw new SecretBoxError('not a sealed value: malformed key id');
  }
  const decoded = {
    keyId,
    iv: decodePart(iv),
    ciphertext: decodePart(ciphertext),
    tag: decodePart(tag),
  };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) {
    throw new SecretBoxError('not a sealed value: wrong IV or tag length');
  }
  return decoded;
}

function decodePart(part: string): Buffer {
  const bytes = BASE64URL.test(part) ? Buffer.from(part, 'base64url') : null;
  // Only the canonical encoding is accepted, so one sealed value has one spelling.
  if (bytes === null || bytes.toString('base64url') !== part) {
    throw new SecretBoxError('not a sealed value: malformed base64url');
  }
  return bytes;
}
