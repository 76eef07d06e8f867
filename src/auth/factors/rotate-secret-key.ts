import type { FactorStore } from '../ports/factor-store.js';
import { type SecretBox, SecretBoxError } from '../ports/secret-box.js';

/** What a rotation did, secret by secret. */
export interface ResealReport {
  /** Sealed again with the ring's first key. */
  readonly resealed: number;
  /** Sealed with the first key already: left alone. */
  readonly alreadyCurrent: number;
  /**
   * Changed (re-enrolled, removed) between the read and the write: left as the other writer
   * left it. A new listing shows whether it still needs re-sealing.
   */
  readonly changedMeanwhile: number;
  /**
   * The factors whose secret no key of the ring opens: their key is missing from the ring, or
   * the value was altered. Ids only; the secrets are never shown.
   */
  readonly unreadable: readonly string[];
}

/**
 * Re-seals every TOTP secret that is not sealed with the ring's first key, so that a retired key
 * can then be dropped from the ring. Each write is a compare-and-set on the value read: a
 * secret changed meanwhile (by a running instance) is not overwritten with the old one. A
 * secret that does not open is reported and skipped; the rest are still re-sealed.
 */
export async function resealSecrets(
  store: Pick<FactorStore, 'listSealedSecrets' | 'replaceSealedSecret'>,
  box: SecretBox,
): Promise<ResealReport> {
  let resealed = 0;
  let alreadyCurrent = 0;
  let changedMeanwhile = 0;
  const unreadable: string[] = [];
  for (const { factorId, sealedSecret } of await store.listSealedSecrets()) {
    if (box.isSealedWithCurrentKey(sealedSecret)) {
      alreadyCurrent += 1;
      continue;
    }
    let plain: string;
    try {
      plain = box.open(sealedSecret, factorId);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      unreadable.push(factorId);
      continue;
    }
    const next = box.seal(plain, factorId);
    if (await store.replaceSealedSecret(factorId, sealedSecret, next)) resealed += 1;
    else changedMeanwhile += 1;
  }
  return { resealed, alreadyCurrent, changedMeanwhile, unreadable };
}
