import type { Logger } from '../../src/logger.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: unknown;
}

/** A logger that keeps what it was told, for asserting warnings. */
export function createRecordingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  function record(level: LogEntry['level']) {
    return (message: unknown, fields?: unknown) => {
      entries.push({ level, message: String(message), fields });
    };
  }
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}
