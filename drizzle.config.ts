import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/db/sqlite/schema.ts with `npm run db:generate`, never
// written by hand. `npm run db:check` fails when the schema has changes without a migration.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/sqlite/schema.ts',
  out: './drizzle/sqlite',
  dbCredentials: { url: 'file:./data/auth.db' },
  strict: true,
});
