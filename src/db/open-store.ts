import type { Store } from '../auth/ports/store.js';
import type { DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { openSqliteStore } from './sqlite/open.js';

/**
 * Opens the store the configuration names and brings its schema up to date. `logger` hears of
 * connections a server database dropped. The PostgreSQL adapter (pg and drizzle's
 * node-postgres driver) is imported only when DATABASE_URL names PostgreSQL: a SQLite start
 * never loads it (see BENCHMARKS.md, section 10).
 */
export async function openStore(
  database: DatabaseConfig,
  logger?: Pick<Logger, 'warn'>,
): Promise<Store> {
  switch (database.kind) {
    case 'sqlite':
      return openSqliteStore(database.path);
    case 'postgres': {
      const { openPostgresStore } = await import('./postgres/open.js');
      return openPostgresStore(database.url, {
        maxConnections: database.poolSize,
        queryTimeoutMs: database.queryTimeoutMs,
        onConnectionError: (error) =>
          logger?.warn('database connection lost; the pool reconnects', { error: error.message }),
      });
    }
  }
}
