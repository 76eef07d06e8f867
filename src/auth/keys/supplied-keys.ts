import { CompactSign, compactVerify } from 'jose';
import type { SigningKeyRecord } from '../ports/records.js';
import {
  algorithmOfJwk,
  importKey,
  type SigningAlgorithm,
  thumbprintOf,
  toStoredJwk,
} from './signing-keys.js';

/**
 * A key set the operator supplied that cannot be used. The message names the variable and the
 * key's position, never any key material.
 */
export class SuppliedKeysError extends Error {
  /** The variable the keys came from: AUTH_SIGNING_KEYS or AUTH_SIGNING_KEYS_FILE. */
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`Invalid ${variable}: ${problem}.`);
    this.name = 'SuppliedKeysError';
    this.variable = variable;
  }
}

const ACCEPTS =
  'expected a JWK Set {"keys":[...]} of private Ed25519 (OKP) or P-256 (EC) keys, the signing key first';

/**
 * Reads the keys an operator supplied (`AUTH_SIGNING_KEYS` or the file named by
 * `AUTH_SIGNING_KEYS_FILE`): a JWK Set of private keys. The first key signs (active); the others
 * are published and verify (retiring) until the operator removes them, which retires them.
 *
 * Each key is checked before use: a supported curve, a private part, an `alg` and `kid` (when
 * given) matching the key, and a private half that really belongs to the public half.
 *
 * @throws SuppliedKeysError naming the variable and the key at fault.
 */
export async function parseSuppliedKeys(
  variable: string,
  json: string,
  now: number,
): Promise<SigningKeyRecord[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SuppliedKeysError(variable, `not JSON; ${ACCEPTS}`);
  }
  const keys = isRecord(parsed) ? parsed.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SuppliedKeysError(variable, ACCEPTS);
  }

  const records: SigningKeyRecord[] = [];
  for (const [index, jwk] of keys.entries()) {
    const record = await readKey(variable, `key ${index + 1}`, jwk, index === 0, now);
    if (records.some((other) => other.kid === record.kid)) {
      throw new SuppliedKeysError(variable, `key ${index + 1} repeats kid ${record.kid}`);
    }
    records.push(record);
  }
  return records;
}

async function readKey(
  variable: string,
  position: string,
  jwk: unknown,
  signs: boolean,
  now: number,
): Promise<SigningKeyRecord> {
  const fail = (problem: string) => new SuppliedKeysError(variable, `${position} ${problem}`);
  if (!isRecord(jwk)) throw fail(`is not a JSON object; ${ACCEPTS}`);
  const alg = algorithmOfJwk(jwk);
  if (alg === null) throw fail('is not an Ed25519 (OKP) or P-256 (EC) key');
  if (jwk.alg !== undefined && jwk.alg !== alg)
    throw fail(`has alg ${String(jwk.alg)}; expected ${alg}`);
  if (typeof jwk.d !== 'string') throw fail('has no private part (d)');

  const privateJwk = toStoredJwk(jwk);
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = await thumbprintOf(publicJwk);
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw fail(
      `has kid ${String(jwk.kid)}, but its RFC 7638 thumbprint is ${kid}; use that or omit kid`,
    );
  }
  if (!(await isMatchingPair(publicJwk, privateJwk, alg))) {
    throw fail('has a private part that does not match its public part (x, y)');
  }
  return {
    kid,
    alg,
    status: signs ? 'active' : 'retiring',
    publicJwk,
    privateJwk,
    createdAt: now,
    retiringSince: null,
    retiredAt: null,
  };
}

/** Signs a probe with the private half and verifies it with the public half. */
async function isMatchingPair(
  publicJwk: Record<string, string>,
  privateJwk: Record<string, string>,
  alg: SigningAlgorithm,
): Promise<boolean> {
  try {
    const probe = await new CompactSign(new TextEncoder().encode('key check'))
      .setProtectedHeader({ alg })
      .sign(await importKey(privateJwk, alg));
    await compactVerify(probe, await importKey(publicJwk, alg));
    return true;
  } catch {
    // An invalid point or a foreign private key: both mean this key cannot be used.
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
