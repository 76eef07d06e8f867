import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a module of this project. `script` names the compiled `.js`
 * file, which runs as is where it exists (dist/, in production). Where it does not (running
 * from src/: vitest, `tsx watch`), or when `script` names a `.ts` file (a test's worker), the
 * TypeScript source runs through tsx, a development dependency.
 */
export function startWorkerScript(script: URL, workerData: unknown): Worker {
  if (!isTypeScript(script) && existsSync(script)) return new Worker(script, { workerData });
  const source = isTypeScript(script) ? script : new URL(script.href.replace(/\.js$/, '.ts'));
  if (!existsSync(source)) throw new Error(`No worker at ${script.href} nor ${source.href}.`);
  return new Worker(typescriptBootstrap(source), { eval: true, workerData });
}

function isTypeScript(script: URL): boolean {
  return script.pathname.endsWith('.ts');
}

/**
 * Node 20 does not apply `--import tsx` to a worker's entry module, so the worker starts from
 * this one line, which loads the source through tsx's API. tsx is resolved only here: it is not
 * installed in production, where the compiled worker runs.
 */
function typescriptBootstrap(source: URL): string {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const href = JSON.stringify(source.href);
  return `import(${tsx}).then((tsx) => tsx.tsImport(${href}, ${href}));`;
}
