import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';

// The servers some suites need, each named by one variable. With it unset those suites skip
// and say why, so `npm test` passes on a fresh clone; CI sets both and must run them. .ci/run
// checks both ways from the mark every test of such a suite carries (see below).

export const SERVICES = {
  postgres: { variable: 'TEST_DATABASE_URL', example: 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { variable: 'TEST_REDIS_URL', example: 'redis://127.0.0.1:6379' },
} as const;

export type Service = keyof typeof SERVICES;

declare module 'vitest' {
  interface TaskMeta {
    /** On every test of a {@link describeWithServices} suite; vitest's JSON report carries it. */
    needsServices?: {
      readonly suite: string;
      readonly variables: readonly string[];
      /** The programs a {@link describeWithLocalServers} suite starts itself. */
      readonly programs?: readonly string[];
    };
  }
}

/** The service's URL, or undefined when its variable is unset or blank. */
export function serviceUrl(service: Service): string | undefined {
  return process.env[SERVICES[service].variable]?.trim() || undefined;
}

/**
 * `describe` for a suite that needs `services`. If a URL is unset the suite is skipped and says
 * so once, naming the variable and an example. Vitest still runs the body to collect the
 * tests, so the body itself must not need a URL: read URLs in hooks and tests only.
 *
 * In CI a missing URL is an error, except in the run of .ci/run that checks these skips
 * (TEST_WITHOUT_SERVICES=1, see vitest.config.ts).
 */
export function describeWithServices(
  services: readonly Service[],
  name: string,
  body: () => void,
): void {
  const missing = services.filter((service) => serviceUrl(service) === undefined);
  if (missing.length > 0 && process.env.CI && process.env.TEST_WITHOUT_SERVICES !== '1') {
    const names = missing.map((service) => SERVICES[service].variable).join(' and ');
    throw new Error(`${names} unset in CI: .ci/run must start PostgreSQL and Redis and set them`);
  }
  if (missing.length > 0) {
    const reasons = missing.map((service) => {
      const { variable, example } = SERVICES[service];
      return `${variable} is unset (for example ${variable}=${example})`;
    });
    console.warn(`Skipping "${name}": ${reasons.join(' and ')}.`);
  }
  describe(
    name,
    {
      skip: missing.length > 0,
      meta: {
        needsServices: {
          suite: name,
          variables: services.map((service) => SERVICES[service].variable),
        },
      },
    },
    body,
  );
}

/** True when `program` is an executable file in one of PATH's folders. */
export function isOnPath(program: string): boolean {
  const folders = (process.env.PATH ?? '').split(delimiter).filter((folder) => folder !== '');
  return folders.some((folder) => {
    try {
      accessSync(join(folder, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` for a suite that starts servers of its own from the machine's programs (`initdb`,
 * `pg_ctl`, `redis-server`), so that it may restart or kill them without disturbing the shared
 * ones. Where a program is missing the suite is skipped and says so once; in CI that is an
 * error. The run of .ci/run that checks the skips (TEST_WITHOUT_SERVICES=1) stands for a
 * machine without PostgreSQL and Redis, so these suites skip there too, which also keeps them
 * from running twice in CI. Its tests carry the same mark as {@link describeWithServices}'s.
 */
export function describeWithLocalServers(
  programs: readonly string[],
  name: string,
  body: () => void,
): void {
  const withoutServices = process.env.TEST_WITHOUT_SERVICES === '1';
  const missing = withoutServices ? [...programs] : programs.filter((p) => !isOnPath(p));
  if (missing.length > 0 && process.env.CI && !withoutServices) {
    throw new Error(`${missing.join(', ')} not on PATH in CI: the machine must provide them`);
  }
  if (missing.length > 0) {
    const why = withoutServices ? 'TEST_WITHOUT_SERVICES=1' : 'not on PATH';
    console.warn(`Skipping "${name}": ${missing.join(', ')} (${why}).`);
  }
  describe(
    name,
    {
      skip: missing.length > 0,
      meta: { needsServices: { suite: name, variables: [], programs } },
    },
    body,
  );
}
