import type { Clock } from '../../clock.js';
import type { SigningKeyStore } from '../ports/store.js';
import { type KeyRing, type KeyRingOptions, loadKeyRing } from './key-ring.js';
import { retirementDelaySeconds } from './key-rotation.js';
import { type KeyRingSettings, selectKeySource } from './key-sources.js';

/**
 * The key ring the configuration describes: supplied keys or the store's (generating the first
 * key on an empty store), with retiring keys trusted for {@link retirementDelaySeconds}.
 *
 * @throws SuppliedKeysError when supplied keys cannot be used.
 */
export async function openKeyRing(
  config: KeyRingSettings,
  store: SigningKeyStore,
  clock: Clock,
  options: Omit<KeyRingOptions, 'retireAfterSeconds'> = {},
): Promise<KeyRing> {
  const source = await selectKeySource(config.signingKeys, store, clock);
  return loadKeyRing(source, clock, {
    ...options,
    retireAfterSeconds: retirementDelaySeconds(config.lifetimes),
  });
}
