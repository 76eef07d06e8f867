import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * The behavioural suites: everything that runs the service against a store. The `postgres`
 * project runs these same files again on PostgreSQL, so both stores meet one specification.
 */
const STORE_SUITES = [
  'test/schema/**/*.test.ts',
  'test/db/*.test.ts',
  'test/auth/keys/key-rotation.test.ts',
  'test/auth/keys/key-ring.test.ts',
  'test/auth/reissue.test.ts',
  'test/auth/change-password.test.ts',
  'test/auth/sign-up.test.ts',
  'test/auth/log-out.test.ts',
  'test/auth/manage-sessions.test.ts',
  'test/auth/request-password-reset.test.ts',
  'test/auth/reset-password.test.ts',
  'test/auth/change-email.test.ts',
  'test/auth/verify-email.test.ts',
  'test/auth/account-status.test.ts',
  'test/mail/*.test.ts',
  'test/http/pages/*.test.ts',
];

const postgresUrl = process.env.TEST_DATABASE_URL?.trim() ?? '';
// TEST_WITHOUT_SERVICES=1 marks the one run in CI that is meant to have no PostgreSQL and no
// Redis: .ci/run's check that their suites skip, saying why, on a machine without them. It
// lifts the CI guards (here and in test/helpers/services.ts), and the suites that start their
// own PostgreSQL or Redis from the machine's programs skip as if those were missing.
const withoutServices = process.env.TEST_WITHOUT_SERVICES === '1';
if (withoutServices && (postgresUrl !== '' || process.env.TEST_REDIS_URL?.trim())) {
  throw new Error('TEST_WITHOUT_SERVICES=1 needs TEST_DATABASE_URL and TEST_REDIS_URL unset');
}
if (postgresUrl === '' && process.env.CI && !withoutServices) {
  throw new Error('TEST_DATABASE_URL is unset in CI: .ci/run must start PostgreSQL and set it');
}
// vitest evaluates this file more than once per run; say it once.
if (postgresUrl === '' && process.env.AUTH_TEST_POSTGRES_SKIP_SAID === undefined) {
  process.env.AUTH_TEST_POSTGRES_SKIP_SAID = '1';
  console.warn(
    '[vitest] TEST_DATABASE_URL is unset: the PostgreSQL run of the store suites is skipped. ' +
      'Set it (for example postgres://postgres@127.0.0.1:5432/test) to run them; CI always does.',
  );
}

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry for the dependencies; make our own imports use the
    // same file, or the schema would mix two graphql instances.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    // Argon2 at production parameters takes tens of milliseconds per hash on two cores.
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts', 'packages/verifier/test/**/*.test.ts'],
        },
      },
      ...(postgresUrl === ''
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: STORE_SUITES,
                env: { TEST_STORE: 'postgres' },
                globalSetup: ['test/setup/postgres.ts'],
                setupFiles: ['test/setup/close-test-stores.ts'],
              },
            },
          ]),
    ],
  },
});
