import type { Store } from '../auth/ports/store.js';
import type { DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { openPostgresStore } from './postgres/open.js';
import { openSqliteStore } from './sqlite/open.js';

/**
 * Opens the store the configuration names and brings its schema up to date. `logger` hears of
 * connections a server database dropped.
 */
export async function openStore(
  database: DatabaseConfig,
  logger?: Pick<Logger, 'warn'>,
): Promise<Store> {
  switch (database.kind) {
    case 'sqlite':
      return openSqliteStore(database.path);
    case 'postgres':
      return openPostgresStore(database.url, {
        maxConnections: database.poolSize,
        queryTimeoutMs: database.queryTimeoutMs,
        onConnectionError: (error) =>
          logger?.warn('database connection lost; the pool reconnects', { error: error.message }),
      });
  }
}
