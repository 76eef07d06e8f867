import { describe, expect, it } from 'vitest';
import { type Environment, loadConfig } from '../../src/config.js';
import { configError } from '../helpers/config.js';

describe('loadConfig: Redis', () => {
  it('uses no Redis by default, whatever the other Redis settings say', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(loadConfig({ REDIS_URL: ' ', SESSION_CACHE_TTL: '5s' }).redis).toBeNull();
  });

  it('has documented defaults once REDIS_URL is set', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      host: '127.0.0.1:6379',
      keyPrefix: 'auth:',
      sessionCacheTtl: 30,
      sessionCacheSize: 10_000,
      commandTimeoutMs: 500,
    });
    expect(Object.isFrozen(config.redis)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://svc:s3cret@cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'tenant-a:auth:',
      SESSION_CACHE_TTL: '2m',
      SESSION_CACHE_SIZE: '500',
      REDIS_COMMAND_TIMEOUT: '2s',
    });
    expect(config.redis).toEqual({
      url: 'rediss://svc:s3cret@cache.internal:6380/2',
      host: 'cache.internal:6380',
      keyPrefix: 'tenant-a:auth:',
      sessionCacheTtl: 120,
      sessionCacheSize: 500,
      commandTimeoutMs: 2000,
    });
  });

  it('turns the session cache off with SESSION_CACHE_TTL=0', () => {
    const config = loadConfig({ REDIS_URL: 'redis://localhost', SESSION_CACHE_TTL: '0' });
    expect(config.redis?.sessionCacheTtl).toBe(0);
    expect(config.redis?.host).toBe('localhost:6379');
  });

  it.each([
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://localhost:6379/cache' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://localhost:6379/0?family=6' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://localhost', REDIS_KEY_PREFIX: 'has space' }, 'REDIS_KEY_PREFIX'],
    [{ REDIS_URL: 'redis://localhost', REDIS_KEY_PREFIX: 'x'.repeat(65) }, 'REDIS_KEY_PREFIX'],
    [{ REDIS_URL: 'redis://localhost', SESSION_CACHE_TTL: 'forever' }, 'SESSION_CACHE_TTL'],
    [{ REDIS_URL: 'redis://localhost', SESSION_CACHE_TTL: '2h' }, 'SESSION_CACHE_TTL'],
    [{ REDIS_URL: 'redis://localhost', SESSION_CACHE_SIZE: '0' }, 'SESSION_CACHE_SIZE'],
    [{ REDIS_URL: 'redis://localhost', REDIS_COMMAND_TIMEOUT: '500' }, 'REDIS_COMMAND_TIMEOUT'],
    [{ REDIS_URL: 'redis://localhost', REDIS_COMMAND_TIMEOUT: '5ms' }, 'REDIS_COMMAND_TIMEOUT'],
    [{ REDIS_URL: 'redis://localhost', REDIS_COMMAND_TIMEOUT: '2m' }, 'REDIS_COMMAND_TIMEOUT'],
  ])('refuses %j, naming %s', (env: Environment, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  it('never repeats the password in its error', () => {
    for (const url of [
      'http://user:hunter22@localhost:6379',
      'redis://user:hunter22@localhost:6379/cache',
      'redis://user:hunter22@:6379',
      'not a url hunter22',
    ]) {
      const error = configError({ REDIS_URL: url });
      expect(error.variable).toBe('REDIS_URL');
      expect(error.message).not.toContain('hunter22');
    }
    expect(configError({ REDIS_URL: 'http://user:hunter22@localhost' }).message).toContain(
      'http://user:***@localhost',
    );
  });
});
