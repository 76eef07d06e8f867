export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The logger shape graphql-yoga accepts, writing one JSON object per line. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * A logger writing one JSON object per line to `write`, which is told when a line is urgent (a
 * warning or an error), so a batching sink writes it at once.
 */
export function createJsonLogger(
  write: (line: string, urgent: boolean) => void,
  minimum: LogLevel = 'info',
): Logger {
  function log(level: LogLevel, args: unknown[]): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minimum]) return;
    const urgent = LEVEL_ORDER[level] >= LEVEL_ORDER.warn;
    const [first, ...rest] = args;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      msg: describe(first),
    };
    const [only] = rest;
    if (rest.length === 1 && isPlainObject(only)) {
      // `logger.info('request', { requestId, ... })`: the fields sit at the top of the line,
      // after time, level and msg, which they cannot overwrite.
      for (const [key, value] of Object.entries(only)) {
        if (!Object.hasOwn(entry, key)) entry[key] = describe(value);
      }
      write(`${JSON.stringify(entry)}\n`, urgent);
      return;
    }
    if (rest.length > 0) entry.details = rest.map(describe);
    write(`${JSON.stringify(entry)}\n`, urgent);
  }
  return {
    debug: (...args) => log('debug', args),
    info: (...args) => log('info', args),
    warn: (...args) => log('warn', args),
    error: (...args) => log('error', args),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

function describe(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
