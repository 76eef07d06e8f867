import { readFileSync } from 'node:fs';
import type { KeySourceSettings } from '../auth/keys/key-sources.js';
import {
  DEFAULT_SIGNING_ALGORITHM,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
} from '../auth/keys/signing-keys.js';
import { ConfigError, type Environment, readOptional } from './environment.js';

/** Where signing keys come from (`AUTH_SIGNING_KEYS(_FILE)`), and `AUTH_SIGNING_ALGORITHM`. */
export type SigningKeysConfig = KeySourceSettings;

export function readSigningKeys(env: Environment): SigningKeysConfig {
  const rawAlgorithm = readOptional(env, 'AUTH_SIGNING_ALGORITHM') ?? DEFAULT_SIGNING_ALGORITHM;
  if (!isSigningAlgorithm(rawAlgorithm)) {
    throw new ConfigError(
      'AUTH_SIGNING_ALGORITHM',
      `expected one of ${SIGNING_ALGORITHMS.join(', ')}`,
      rawAlgorithm,
    );
  }
  const inline = readOptional(env, 'AUTH_SIGNING_KEYS');
  const file = readOptional(env, 'AUTH_SIGNING_KEYS_FILE');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(
      'AUTH_SIGNING_KEYS_FILE',
      'set either AUTH_SIGNING_KEYS or AUTH_SIGNING_KEYS_FILE, not both',
      file,
    );
  }
  if (inline !== undefined) {
    return { algorithm: rawAlgorithm, supplied: { variable: 'AUTH_SIGNING_KEYS', json: inline } };
  }
  if (file !== undefined) {
    let json: string;
    try {
      json = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      throw new ConfigError(
        'AUTH_SIGNING_KEYS_FILE',
        `expected a readable file holding a JWK Set (${reason})`,
        file,
      );
    }
    return { algorithm: rawAlgorithm, supplied: { variable: 'AUTH_SIGNING_KEYS_FILE', json } };
  }
  return { algorithm: rawAlgorithm, supplied: null };
}
