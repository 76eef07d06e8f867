import { TransactionRollbackError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
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

  it('never retries other errors, and turns a deliberate rollback into null', async () => {
    let attempts = 0;
    const unique = retryOnTransientConflict(async () => {
      attempts += 1;
      throw databaseError('23505');
    });
    await expect(unique).rejects.toThrow('Failed query');
    expect(attempts).toBe(1);
    const rolledBack = await retryOnTransientConflict(async () => {
      throw new TransactionRollbackError();
    });
    expect(rolledBack).toBeNull();
  });

  it('finds the SQLSTATE through any depth of causes', () => {
    expect(sqlState(new Error('outer', { cause: databaseError('40001') }))).toBe('40001');
    expect(sqlState(new Error('no code'))).toBeUndefined();
    expect(sqlState('not an error')).toBeUndefined();
  });
});
