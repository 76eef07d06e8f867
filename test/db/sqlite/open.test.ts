import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/db/sqlite/open.js';

describe('openSqliteStore', () => {
  it('answers ping while open and refuses it once closed', async () => {
    const store = openSqliteStore(':memory:');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow(/not open/);
  });
});
