/** Where log lines go. `urgent` lines (warnings, errors) are written at once, with any queued. */
export interface LineSink {
  write(line: string, urgent?: boolean): void;
  flush(): void;
}

/** Lines wait at most this long before they are written… */
const FLUSH_AFTER_MS = 20;
/** …or until this many characters are queued. */
const FLUSH_AT = 64 * 1024;

/**
 * Log lines for a stream (stdout), written in batches. On Linux, Node writes to a pipe or a file
 * synchronously, a system call each: under load, the one request-log line per request cost
 * about 7% of the service's CPU in that call alone (BENCHMARKS.md). Lines queue for up to
 * 20 ms or 64 KiB and go out in one write, in order. A warning or an error is written at once
 * (with what is queued before it), and `exit` flushes, where a pipe or file write is still
 * synchronous, so a process that stops or fails loses no line; only a SIGKILL can lose the last
 * 20 ms of info lines.
 */
export function createBatchedLineSink(stream: Pick<NodeJS.WriteStream, 'write'>): LineSink {
  let queued: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;

  function flush(): void {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (queued.length === 0) return;
    const text = queued.join('');
    queued = [];
    size = 0;
    stream.write(text);
  }

  process.on('exit', flush);
  return {
    write(line, urgent = false) {
      queued.push(line);
      size += line.length;
      if (urgent || size >= FLUSH_AT) {
        flush();
      } else if (timer === null) {
        timer = setTimeout(flush, FLUSH_AFTER_MS);
        timer.unref();
      }
    },
    flush,
  };
}
