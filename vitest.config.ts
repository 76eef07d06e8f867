import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the dependencies; make our own imports use the
    // same file, or the schema would mix two graphql instances.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Argon2 at production parameters takes tens of milliseconds per hash on two cores.
    testTimeout: 20_000,
  },
});
