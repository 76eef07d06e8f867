import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resealSecrets } from '../../../src/auth/factors/rotate-secret-key.js';
import { createSecretBox } from '../../../src/auth/factors/secret-box.js';
import type { FactorStore, SealedSecretRecord } from '../../../src/auth/ports/factor-store.js';

type SecretStore = Pick<FactorStore, 'listSealedSecrets' | 'replaceSealedSecret'>;

const K1 = { id: 'k1', key: randomBytes(32) };
const K2 = { id: 'k2', key: randomBytes(32) };

/** The two methods rotation uses, over a map; `beforeReplace` lets a test write meanwhile. */
function createSecretStore(beforeReplace?: (factorId: string, rows: Map<string, string>) => void) {
  const rows = new Map<string, string>();
  const writes: SealedSecretRecord[] = [];
  const store: SecretStore = {
    async listSealedSecrets() {
      return [...rows].map(([factorId, sealedSecret]) => ({ factorId, sealedSecret }));
    },
    async replaceSealedSecret(factorId, expected, next) {
      beforeReplace?.(factorId, rows);
      if (rows.get(factorId) !== expected) return false;
      rows.set(factorId, next);
      writes.push({ factorId, sealedSecret: next });
      return true;
    },
  };
  return { store, rows, writes };
}

function secretOf(factorId: string): string {
  return `SECRET-OF-${factorId}`;
}

describe('resealSecrets', () => {
  it('moves every secret to the first key, so the old key can be dropped', async () => {
    const { store, rows } = createSecretStore();
    const old = createSecretBox([K1]);
    for (const id of ['f1', 'f2', 'f3']) rows.set(id, old.seal(secretOf(id), id));

    const ring = createSecretBox([K2, K1]);
    // One secret already sealed with k2 by an instance that has the new ring.
    rows.set('f4', ring.seal(secretOf('f4'), 'f4'));
    const f4 = rows.get('f4');

    expect(await resealSecrets(store, ring)).toEqual({
      resealed: 3,
      alreadyCurrent: 1,
      changedMeanwhile: 0,
      unreadable: [],
    });
    expect(rows.get('f4')).toBe(f4);

    const newOnly = createSecretBox([K2]);
    for (const [id, sealed] of rows) {
      expect(sealed.startsWith('v1.k2.')).toBe(true);
      expect(newOnly.open(sealed, id)).toBe(secretOf(id));
    }
    // A second run finds nothing to do.
    expect(await resealSecrets(store, ring)).toMatchObject({ resealed: 0, alreadyCurrent: 4 });
  });

  it('does not overwrite a secret that changed between the read and the write', async () => {
    const old = createSecretBox([K1]);
    const ring = createSecretBox([K2, K1]);
    const reEnrolled = old.seal('NEW-SECRET', 'f2');
    const { store, rows } = createSecretStore((factorId, current) => {
      // A running instance re-enrols f2 and removes f3 while the rotation runs.
      if (factorId === 'f2') current.set('f2', reEnrolled);
      if (factorId === 'f3') current.delete('f3');
    });
    for (const id of ['f1', 'f2', 'f3']) rows.set(id, old.seal(secretOf(id), id));

    expect(await resealSecrets(store, ring)).toEqual({
      resealed: 1,
      alreadyCurrent: 0,
      changedMeanwhile: 2,
      unreadable: [],
    });
    expect(rows.get('f2')).toBe(reEnrolled);
    expect(rows.has('f3')).toBe(false);
    expect(ring.isSealedWithCurrentKey(rows.get('f1') ?? '')).toBe(true);
  });

  it('reports, without stopping, the secrets no key opens, and never shows them', async () => {
    const { store, rows, writes } = createSecretStore();
    const lost = createSecretBox([{ id: 'k0', key: randomBytes(32) }]);
    const old = createSecretBox([K1]);
    rows.set('f1', old.seal(secretOf('f1'), 'f1'));
    rows.set('f2', lost.seal(secretOf('f2'), 'f2'));
    // A value copied from f1's row onto f3's does not open for f3.
    rows.set('f3', rows.get('f1') ?? '');
    rows.set('f4', 'not a sealed value');
    const f2 = rows.get('f2');

    const report = await resealSecrets(store, createSecretBox([K2, K1]));
    expect(report).toEqual({
      resealed: 1,
      alreadyCurrent: 0,
      changedMeanwhile: 0,
      unreadable: ['f2', 'f3', 'f4'],
    });
    expect(JSON.stringify(report)).not.toContain('SECRET-OF');
    expect(rows.get('f2')).toBe(f2);
    expect(writes.map((write) => write.factorId)).toEqual(['f1']);
  });

  it('lets errors other than an unopenable secret through', async () => {
    const { store, rows } = createSecretStore();
    rows.set('f1', createSecretBox([K1]).seal(secretOf('f1'), 'f1'));
    const failing: SecretStore = {
      listSealedSecrets: () => store.listSealedSecrets(),
      replaceSealedSecret: async () => {
        throw new Error('database went away');
      },
    };
    await expect(resealSecrets(failing, createSecretBox([K2, K1]))).rejects.toThrow(
      'database went away',
    );
  });
});
