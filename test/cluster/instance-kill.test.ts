import { once } from 'node:events';
import { expect, it } from 'vitest';
import { FAILURE_BOUND_MS, type FaultReport, runUnderLoad } from '../helpers/fault-scenario.js';
import { waitUntil } from '../helpers/instance-probes.js';
import { randomDatabaseName } from '../helpers/postgres.js';
import { describeWithLocalServers } from '../helpers/services.js';
import { POSTGRES_PROGRAMS, useThrowawayPostgres } from '../helpers/throwaway-postgres.js';

// One of two instances killed (SIGKILL: no shutdown, requests in flight cut) under rotation
// load. The requests it was serving get no answer at all; some of them had committed their
// rotation. The survivor carries on, and the database shows what happened to every lineage.

describeWithLocalServers(POSTGRES_PROGRAMS, 'an instance killed under rotation load', () => {
  const postgres = useThrowawayPostgres();

  async function killUnderLoad(strict: boolean): Promise<FaultReport> {
    const report = await runUnderLoad({
      databaseUrl: await postgres().createDatabase(randomDatabaseName('kill')),
      strict,
      async inject({ instances, services }) {
        const [victim] = instances;
        const [process] = services;
        if (victim === undefined || process === undefined) throw new Error('no instance');
        // Killed in the middle of its work, and the balancer stops routing to it at once.
        await waitUntil(async () => victim.inFlight >= 4, 10_000);
        victim.alive = false;
        const exited = once(process.child, 'exit');
        process.child.kill('SIGKILL');
        await exited;
      },
    });
    console.info(`[reliability] instance SIGKILL, strict=${strict}: ${JSON.stringify(report)}`);
    // The kill cut requests in flight, and no request waited past its bound.
    expect(report.unanswered).toBeGreaterThan(0);
    expect(report.slowestFailure.ms).toBeLessThan(FAILURE_BOUND_MS);
    expect(report.committedUnseen).toEqual([]);
    return report;
  }

  it('loses no session with the default reuse interval: a retry gets the pair that committed', async () => {
    const report = await killUnderLoad(false);
    expect(report.problems).toEqual([]);
    expect(report.sessionsEnded).toBe(0);
  }, 120_000);

  it('in strict mode, ends only sessions whose rotation committed with its answer lost', async () => {
    const report = await killUnderLoad(true);
    // Each ended session had a request with no answer, and exactly one rotation it never saw
    // (lineageProblems checks both from the database).
    expect(report.problems).toEqual([]);
    expect(report.sessionsEnded).toBeLessThanOrEqual(report.clientsWithoutAnswer);
  }, 120_000);
});
