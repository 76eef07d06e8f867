import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * The little that SQLite and PostgreSQL spell differently in the statements both stores share;
 * everything else in the shared conditions is the same SQL in either dialect.
 */
export interface SqlDialect {
  /** The smaller of two values. */
  least(a: SQLWrapper, b: SQLWrapper): SQL;
}

export const SQLITE_DIALECT: SqlDialect = {
  // SQLite's two-argument min() is a scalar function, not the aggregate.
  least: (a, b) => sql`min(${a}, ${b})`,
};

export const POSTGRES_DIALECT: SqlDialect = {
  least: (a, b) => sql`least(${a}, ${b})`,
};
