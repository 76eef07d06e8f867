import { defineConfig } from 'drizzle-kit';

// The PostgreSQL migrations, generated from src/db/postgres/schema.ts with
// `npm run db:generate`, never written by hand; `npm run db:check` fails when they drift.
// drizzle.config.ts is the same for SQLite, the default store.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/schema.ts',
  out: './drizzle/postgres',
  dbCredentials: { url: 'postgres://localhost:5432/auth' },
  strict: true,
});
