import { ConfigError, type Environment, loadConfig } from '../../src/config.js';

/** The ConfigError `loadConfig(env)` throws; fails the test when it throws none. */
export function configError(env: Environment): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/**
 * A fixed MFA key ring for tests whose configuration needs one (production, PostgreSQL): every
 * instance of a test cluster shares it, as real instances must.
 */
export const TEST_MFA_KEYS = {
  MFA_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
} as const;
