import { expect, it } from 'vitest';
import { FAILURE_BOUND_MS, type FaultReport, runUnderLoad } from '../helpers/fault-scenario.js';
import { randomDatabaseName } from '../helpers/postgres.js';
import { describeWithLocalServers } from '../helpers/services.js';
import { POSTGRES_PROGRAMS, useThrowawayPostgres } from '../helpers/throwaway-postgres.js';

// PostgreSQL itself restarting (`pg_ctl restart -m fast`: every connection ended, the server
// down for a moment) under two real instances and a mix of load. The cluster is the test's
// own, so the restart disturbs no other test.

describeWithLocalServers(POSTGRES_PROGRAMS, 'two instances through a PostgreSQL restart', () => {
  const postgres = useThrowawayPostgres();

  async function restartUnderLoad(strict: boolean): Promise<FaultReport> {
    const server = postgres();
    const report = await runUnderLoad({
      databaseUrl: await server.createDatabase(randomDatabaseName('restart')),
      strict,
      inject: () => server.restart(),
    });
    console.info(`[reliability] postgres restart, strict=${strict}: ${JSON.stringify(report)}`);
    return report;
  }

  function expectCleanFailures(report: FaultReport): void {
    // The restart landed on the load: requests were sent while it lasted, and some failed.
    const failed = Object.entries(report.duringFault)
      .filter(([label]) => label.endsWith(':INTERNAL_SERVER_ERROR'))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(failed).toBeGreaterThan(0);
    expect(report.slowestFailure.ms).toBeLessThan(FAILURE_BOUND_MS);
    // The instances stayed up: every request got an HTTP answer.
    expect(report.unanswered).toBe(0);
    expect(report.problems).toEqual([]);
  }

  it('keeps every session and lineage with the default reuse interval', async () => {
    const report = await restartUnderLoad(false);
    expectCleanFailures(report);
    expect(report.sessionsEnded).toBe(0);
    expect(report.committedUnseen).toEqual([]);
  }, 120_000);

  it('keeps every session in strict mode (REFRESH_REUSE_INTERVAL=0): no error answer for work that was done', async () => {
    const report = await restartUnderLoad(true);
    expectCleanFailures(report);
    // No answer was lost, so no rotation may have committed unseen: no session ends.
    expect(report.sessionsEnded).toBe(0);
    expect(report.committedUnseen).toEqual([]);
  }, 120_000);
});
