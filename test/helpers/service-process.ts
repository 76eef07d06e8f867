import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

// The real entry point, src/main.ts, in a child process: for tests where the process is the
// point (start-up, signals, several instances on one database).

const ROOT = new URL('../..', import.meta.url).pathname;

/** Starts `src/main.ts` with only PATH and `env`, on a free port of the loopback interface. */
export function startMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RunningService {
  readonly child: ChildProcess;
  /** The GraphQL endpoint the service logged. */
  readonly url: string;
  /** Everything written to stdout so far, the log lines before `listening` included. */
  readonly stdout: () => string;
  /** Everything written to stderr so far. */
  readonly stderr: () => string;
}

/** Starts the service and resolves once it logs that it is listening. */
export async function startListening(env: Record<string, string>): Promise<RunningService> {
  const child = startMain(env);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /"url":"([^"]+)"/.exec(stdout());
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout()}${stderr()}`)));
  });
  return { child, url, stdout, stderr };
}

/** Everything the child writes to one stream, read when the test needs it. */
export function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

/** POSTs one GraphQL operation, optionally with a bearer token, and returns the parsed body. */
export async function post(
  url: string,
  query: string,
  token?: string,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return (await response.json()) as Record<string, unknown>;
}

/** Sends SIGTERM and resolves to the exit code. */
export async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}
