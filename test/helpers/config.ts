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
