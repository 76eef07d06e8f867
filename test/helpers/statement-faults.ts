// Which SQL statement a fault-injecting store (./faulty-store.ts) makes fail, and how. The
// drivers of both stores ask the plan about every statement they are about to send, BEGIN and
// COMMIT included, so a test can fail any step of a write, and a commit whose outcome the store
// cannot know.

/**
 * - `fail`: the statement fails without running, as when the server refuses it or the
 *   connection is gone before it is sent. Inside a transaction, the transaction rolls back.
 * - `lose-answer`: the statement runs (a COMMIT commits), then the caller gets an error, as
 *   when the connection dies before the answer comes back.
 */
export type FaultEffect = 'fail' | 'lose-answer';

export interface StatementFault {
  /** The statements it may hit: every statement when absent. */
  readonly statement?: RegExp;
  /** How many matching statements run untouched first; 0 when absent. */
  readonly skip?: number;
  readonly effect: FaultEffect;
  /**
   * After the fault, this many more statements of any kind fail without running: the store
   * stays down for a while. 0 when absent.
   */
  readonly outage?: number;
}

/** What the store does with one statement. */
export type StatementFate = 'run' | FaultEffect;

export interface FaultPlan {
  /** Arms `fault`, replacing any armed one; it fires once. */
  inject(fault: StatementFault): void;
  /** Disarms the armed fault and ends any outage. */
  clear(): void;
  /** Asked by the driver before each statement. */
  fateOf(sql: string): StatementFate;
  /** How many faults have fired, and how many statements failed in outages after them. */
  readonly fired: { faults: number; outageStatements: number };
  /** Every statement asked about since the last {@link FaultPlan.resetLog}, in order. */
  readonly log: readonly string[];
  resetLog(): void;
}

/** The error a faulty store throws for an injected fault. */
export class InjectedFaultError extends Error {
  constructor(fate: FaultEffect, sql: string) {
    super(`injected fault (${fate}) at: ${sql.slice(0, 80)}`);
    this.name = 'InjectedFaultError';
  }
}

/** Whether `error` is, or was caused by, an injected fault (drivers and stores wrap errors). */
export function isInjectedFault(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof InjectedFaultError) return true;
  }
  return false;
}

export function createFaultPlan(): FaultPlan {
  let armed: { fault: StatementFault; skipsLeft: number } | null = null;
  let outageLeft = 0;
  const fired = { faults: 0, outageStatements: 0 };
  const log: string[] = [];
  return {
    inject(fault) {
      armed = { fault, skipsLeft: fault.skip ?? 0 };
    },
    clear() {
      armed = null;
      outageLeft = 0;
    },
    fateOf(sql) {
      log.push(sql);
      if (outageLeft > 0) {
        outageLeft--;
        fired.outageStatements++;
        return 'fail';
      }
      if (armed === null || !(armed.fault.statement?.test(sql) ?? true)) return 'run';
      if (armed.skipsLeft > 0) {
        armed.skipsLeft--;
        return 'run';
      }
      const { effect, outage } = armed.fault;
      armed = null;
      outageLeft = outage ?? 0;
      fired.faults++;
      return effect;
    },
    fired,
    log,
    resetLog() {
      log.length = 0;
    },
  };
}

/** Runs one statement as the plan says: first asking, then running it or not, then answering. */
export function runStatementSync<T>(plan: FaultPlan, sql: string, run: () => T): T {
  const fate = plan.fateOf(sql);
  if (fate === 'fail') throw new InjectedFaultError(fate, sql);
  const result = run();
  if (fate === 'lose-answer') throw new InjectedFaultError(fate, sql);
  return result;
}

/** {@link runStatementSync} for a driver that answers asynchronously. */
export async function runStatement<T>(
  plan: FaultPlan,
  sql: string,
  run: () => Promise<T>,
): Promise<T> {
  const fate = plan.fateOf(sql);
  if (fate === 'fail') throw new InjectedFaultError(fate, sql);
  const result = await run();
  if (fate === 'lose-answer') throw new InjectedFaultError(fate, sql);
  return result;
}
