import type { DatabaseConfig } from '../config.js';
import { openPostgresStore } from './postgres/open.js';
import { openSqliteStore } from './sqlite/open.js';
import type { Store } from './store.js';

/** Opens the store the configuration names and brings its schema up to date. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  switch (database.kind) {
    case 'sqlite':
      return openSqliteStore(database.path);
    case 'postgres':
      return openPostgresStore(database.url, { maxConnections: database.poolSize });
  }
}
