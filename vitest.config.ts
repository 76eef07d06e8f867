import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Argon2 at production parameters takes tens of milliseconds per hash on two cores.
    testTimeout: 20_000,
  },
});
