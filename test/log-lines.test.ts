import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createBatchedLineSink } from '../src/log-lines.js';
import { createJsonLogger } from '../src/logger.js';

function recordingStream(): { writes: string[]; write(text: string): boolean } {
  const writes: string[] = [];
  return { writes, write: (text) => writes.push(text) > 0 };
}

describe('createBatchedLineSink', () => {
  it('writes the lines of up to 20 ms in one write, in order', async () => {
    const stream = recordingStream();
    const sink = createBatchedLineSink(stream);
    sink.write('a\n');
    sink.write('b\n');
    await sleep(5);
    sink.write('c\n');
    expect(stream.writes).toEqual([]);
    await sleep(40);
    expect(stream.writes).toEqual(['a\nb\nc\n']);
    sink.write('d\n');
    await sleep(40);
    expect(stream.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes at once when 64 KiB are queued, on flush, and for an urgent line', () => {
    const stream = recordingStream();
    const sink = createBatchedLineSink(stream);
    const long = `${'x'.repeat(40 * 1024)}\n`;
    sink.write(long);
    expect(stream.writes).toEqual([]);
    sink.write(long);
    expect(stream.writes).toEqual([long + long]);
    sink.write('queued\n');
    sink.write('a warning\n', true);
    expect(stream.writes).toEqual([long + long, 'queued\na warning\n']);
    sink.write('tail\n');
    sink.flush();
    expect(stream.writes).toEqual([long + long, 'queued\na warning\n', 'tail\n']);
  });

  it('is told by the logger that warnings and errors are urgent, and info lines are not', () => {
    const lines: [string, boolean][] = [];
    const logger = createJsonLogger((line, urgent) => lines.push([line, urgent]), 'debug');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map(([line, urgent]) => [JSON.parse(line).msg, urgent])).toEqual([
      ['d', false],
      ['i', false],
      ['w', true],
      ['e', true],
    ]);
  });

  it('loses no line when the process exits in the same turn', () => {
    const script = `
      import { createBatchedLineSink } from './src/log-lines.ts';
      const sink = createBatchedLineSink(process.stdout);
      for (let n = 0; n < 1000; n += 1) sink.write('line ' + n + '\\n');
      process.exit(3);
    `;
    let stdout = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      expect(failed.status).toBe(3);
      stdout = failed.stdout;
    }
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[999]).toBe('line 999');
  });
});
