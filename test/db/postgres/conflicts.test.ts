import { TransactionRollbackError } from 'drizzle-orm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { retryOnTransientConflict, sqlState } from '../../../src/db/postgres/conflicts.js';

function databaseError(code: string): Error {
  // What drizzle throws: its own error, with the driver's error (carrying the SQLSTATE) as cause.
  return new Error('Failed query', { cause: Object.assign(new Error('deadlock'), { code }) });
}

describe('retryOnTransientConflict', () => {
  it('runs the transaction again after a deadlock or a serialization failure', async () => {
    for (const code of ['40P01', '40001']) {
      let attempts = 0;
      const result = await retryOnTransientConflict(async () => {
        attempts += 1;
        if (attempts < 3) throw databaseError(code);
        return 'done';
      });
      expect([result, attempts]).toEqual(['done', 3]);
    }
  });

  it('gives up after three attempts, with the last error', async () => {
    let attempts = 0;
    const run = retryOnTransientConflict(async () => {
      attempts += 1;
      throw databaseError('40P01');
    });
    await expect(run).rejects.toThrow('Failed query');
    expect(attempts).toBe(3);
  });

  it('never retries other errors, a deliberate rollback among them, and passes them on', async () => {
    const errors = [databaseError('23505'), new TransactionRollbackError()];
    for (const error of errors) {
      let attempts = 0;
      const run = retryOnTransientConflict(async () => {
        attempts += 1;
        throw error;
      });
      await expect(run).rejects.toBe(error);
      expect(attempts).toBe(1);
    }
  });

  it('resolves to exactly what the transaction returns, with no null added to its type', async () => {
    const count = retryOnTransientConflict(async () => 2);
    expectTypeOf(count).resolves.toEqualTypeOf<number>();
    await expect(count).resolves.toBe(2);
    // A transaction that writes nothing says so in its own value.
    const nothing = retryOnTransientConflict(async (): Promise<string | null> => null);
    expectTypeOf(nothing).resolves.toEqualTypeOf<string | null>();
    await expect(nothing).resolves.toBeNull();
  });

  it('finds the SQLSTATE through any depth of causes', () => {
    expect(sqlState(new Error('outer', { cause: databaseError('40001') }))).toBe('40001');
    expect(sqlState(new Error('no code'))).toBeUndefined();
    expect(sqlState('not an error')).toBeUndefined();
  });
});
