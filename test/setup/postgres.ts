import type { TestProject } from 'vitest/node';
import { openPostgresStore } from '../../src/db/postgres/open.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  runOnServer,
  testDatabaseUrl,
  urlForDatabase,
} from '../helpers/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated database every PostgreSQL test store is cloned from. */
    postgresTemplate: string;
  }
}

/**
 * Global setup of the PostgreSQL project: migrates one template database through the
 * service's own migration code, hands its name to the tests, and drops it at the end.
 */
export default async function setUpPostgres(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = testDatabaseUrl();
  if (serverUrl === null) throw new Error('The postgres project needs TEST_DATABASE_URL.');
  const template = randomDatabaseName('template');
  await runOnServer(serverUrl, `create database ${quoteIdentifier(template)}`);
  const store = await openPostgresStore(urlForDatabase(serverUrl, template), {
    maxConnections: 1,
  });
  await store.close();
  project.provide('postgresTemplate', template);
  return async () => {
    await runOnServer(
      serverUrl,
      `drop database if exists ${quoteIdentifier(template)} with (force)`,
    );
  };
}
