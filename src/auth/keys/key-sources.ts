import type { Clock } from '../../clock.js';
import type { SigningKeyRecord } from '../ports/records.js';
import type { SigningKeyStore } from '../ports/store.js';
import type { TokenLifetimes } from '../tokens/token-types.js';
import { createSigningKey, type SigningAlgorithm } from './signing-keys.js';
import { parseSuppliedKeys } from './supplied-keys.js';

/** Where signing keys come from, and which algorithm new keys use. */
export interface KeySourceSettings {
  /** The algorithm of keys generated from now on. */
  readonly algorithm: SigningAlgorithm;
  /**
   * Keys supplied by the operator (a JWK Set with private keys) instead of the store, with the
   * variable they came from; null when the store holds the keys.
   */
  readonly supplied: { readonly variable: string; readonly json: string } | null;
}

/** What opening a key ring and rotating its keys depend on. */
export interface KeyRingSettings {
  readonly signingKeys: KeySourceSettings;
  readonly lifetimes: TokenLifetimes;
}

/** Where a key ring reads its keys from. */
export interface KeySource {
  /**
   * `store`: the keys live in the database and rotate with `npm run keys:rotate`.
   * `supplied`: the operator supplied them (file or variable) and rotates by changing that set.
   */
  readonly kind: 'store' | 'supplied';
  /** The active key and the retiring keys. */
  load(): Promise<SigningKeyRecord[]>;
}

/**
 * Keys from the store. On the very first load of an empty store it generates a key with
 * `algorithm` and makes it active; two processes doing so at once settle on one key.
 */
export function createStoreKeySource(
  store: SigningKeyStore,
  clock: Clock,
  algorithm: SigningAlgorithm,
): KeySource {
  return {
    kind: 'store',
    async load() {
      const verifying = await store.listVerifying();
      if (verifying.some((record) => record.status === 'active')) return verifying;
      await store.activateIfNoneActive(await createSigningKey(clock, algorithm));
      return store.listVerifying();
    },
  };
}

/** Keys the operator supplied, parsed and checked once; they change with a restart. */
export async function createSuppliedKeySource(
  variable: string,
  json: string,
  clock: Clock,
): Promise<KeySource> {
  const records = await parseSuppliedKeys(variable, json, clock.now());
  return { kind: 'supplied', load: async () => records };
}

/** The source the configuration asks for: supplied keys when given, the store otherwise. */
export function selectKeySource(
  config: KeySourceSettings,
  store: SigningKeyStore,
  clock: Clock,
): Promise<KeySource> {
  if (config.supplied !== null) {
    return createSuppliedKeySource(config.supplied.variable, config.supplied.json, clock);
  }
  return Promise.resolve(createStoreKeySource(store, clock, config.algorithm));
}
