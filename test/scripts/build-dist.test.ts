import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDist, readStamp, STAMP_FILE } from '../../scripts/build-dist.mjs';

// `npm start` (scripts/start.mjs, through scripts/build-dist.mjs) compiles only when dist/ is not
// the output of the current inputs. Each test works on a throwaway project in a temporary folder, so
// the repository's own dist/ is never rebuilt under the other tests.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(REPO, 'scripts', 'build-dist.mjs');

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function write(root: string, file: string, content: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

/** A project laid out like this repository: configs, lockfiles, the script, two sources. */
function createProject(include: string[] = ['src']): string {
  const root = mkdtempSync(join(tmpdir(), 'auth-build-dist-'));
  folders.push(root);
  write(root, 'tsconfig.json', '{ "compilerOptions": { "strict": true } }\n');
  write(
    root,
    'tsconfig.build.json',
    `${JSON.stringify({ extends: './tsconfig.json', compilerOptions: { outDir: 'dist' }, include })}\n`,
  );
  write(root, 'package.json', '{ "type": "module" }\n');
  write(root, 'package-lock.json', '{ "lockfileVersion": 3, "packages": {} }\n');
  write(root, 'node_modules/.package-lock.json', '{ "lockfileVersion": 3, "packages": {} }\n');
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'build-dist.mjs'));
  write(root, 'src/main.ts', "import { greet } from './lib/greet.js';\ngreet();\n");
  write(root, 'src/lib/greet.ts', "export function greet(): void {\n  console.log('hi');\n}\n");
  return root;
}

/**
 * Stands in for tsc: counts its runs and writes dist/<name>.js for each source, with the
 * source's text, so a test can tell which build produced dist/.
 */
function createCompiler(status = 0): { compile: (root: string) => number; runs: () => number } {
  let runs = 0;
  return {
    compile(root) {
      runs++;
      for (const file of ['main', 'lib/greet']) {
        let source: string;
        try {
          source = readFileSync(join(root, 'src', `${file}.ts`), 'utf8');
        } catch {
          continue;
        }
        write(root, `dist/${file}.js`, source);
      }
      return status;
    },
    runs: () => runs,
  };
}

describe('scripts/build-dist.mjs --if-stale', () => {
  it('compiles a fresh checkout, then skips while nothing changes', () => {
    const root = createProject();
    const compiler = createCompiler();

    expect(buildDist({ root, ifStale: true, compile: compiler.compile })).toEqual({
      built: true,
      reason: `no dist/${STAMP_FILE} (never built here)`,
      status: 0,
    });
    expect(readStamp(root)?.outputs).toHaveProperty(['dist/main.js']);

    for (let start = 0; start < 3; start++) {
      expect(buildDist({ root, ifStale: true, compile: compiler.compile })).toEqual({
        built: false,
        reason: 'dist/ is current',
        status: 0,
      });
    }
    expect(compiler.runs()).toBe(1);
  });

  it('rebuilds after a source edit, and is current again after that build', () => {
    const root = createProject();
    const compiler = createCompiler();
    buildDist({ root, ifStale: true, compile: compiler.compile });

    write(
      root,
      'src/lib/greet.ts',
      "export function greet(): void {\n  console.log('hello');\n}\n",
    );
    const rebuilt = buildDist({ root, ifStale: true, compile: compiler.compile });

    expect(rebuilt).toMatchObject({ built: true, reason: 'src/lib/greet.ts changed' });
    expect(readFileSync(join(root, 'dist/lib/greet.js'), 'utf8')).toContain("'hello'");
    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(false);
    expect(compiler.runs()).toBe(2);
  });

  it('does not rebuild when only a source mtime moves (git checkout back and forth)', () => {
    const root = createProject();
    const compiler = createCompiler();
    buildDist({ root, ifStale: true, compile: compiler.compile });

    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src/main.ts'), later, later);

    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(false);
    expect(compiler.runs()).toBe(1);
  });

  it.each([
    [
      'an added source',
      (root: string) => write(root, 'src/extra.ts', 'export {};\n'),
      'src/extra.ts is new',
    ],
    [
      'a deleted source',
      (root: string) => rmSync(join(root, 'src/lib/greet.ts')),
      'src/lib/greet.ts was removed',
    ],
    [
      'a changed tsconfig.build.json',
      (root: string) =>
        write(
          root,
          'tsconfig.build.json',
          '{ "compilerOptions": { "outDir": "dist", "sourceMap": true }, "include": ["src"] }\n',
        ),
      'tsconfig.build.json changed',
    ],
    [
      'a changed tsconfig.json (which the build extends)',
      (root: string) =>
        write(root, 'tsconfig.json', '{ "compilerOptions": { "strict": false } }\n'),
      'tsconfig.json changed',
    ],
    [
      'a changed package-lock.json (another TypeScript or @types version)',
      (root: string) =>
        write(root, 'package-lock.json', '{ "lockfileVersion": 3, "packages": { "": {} } }\n'),
      'package-lock.json changed',
    ],
    [
      'a different installed tree (node_modules/.package-lock.json)',
      (root: string) =>
        write(root, 'node_modules/.package-lock.json', '{ "lockfileVersion": 3 }\n'),
      'node_modules/.package-lock.json changed',
    ],
    [
      'a changed package.json ("type" decides the module format)',
      (root: string) => write(root, 'package.json', '{ "type": "commonjs" }\n'),
      'package.json changed',
    ],
    [
      'a deleted file in dist/',
      (root: string) => rmSync(join(root, 'dist/lib/greet.js')),
      'dist/lib/greet.js is missing',
    ],
    [
      'a file in dist/ written by something else (tsc run by hand)',
      (root: string) => write(root, 'dist/main.js', 'console.log("edited by hand");\n'),
      'dist/main.js was rewritten since',
    ],
    [
      'a deleted stamp',
      (root: string) => rmSync(join(root, 'dist', STAMP_FILE)),
      `no dist/${STAMP_FILE} (never built here)`,
    ],
    [
      'a stamp that is not JSON',
      (root: string) => write(root, `dist/${STAMP_FILE}`, '{'),
      `no dist/${STAMP_FILE} (never built here)`,
    ],
  ])('rebuilds after %s', (_name, change, reason) => {
    const root = createProject();
    const compiler = createCompiler();
    buildDist({ root, ifStale: true, compile: compiler.compile });

    change(root);

    expect(buildDist({ root, ifStale: true, compile: compiler.compile })).toEqual({
      built: true,
      reason,
      status: 0,
    });
    expect(compiler.runs()).toBe(2);
    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(false);
  });

  it('writes no stamp when the compile fails, so the next start compiles again', () => {
    const root = createProject();
    const failing = createCompiler(2);
    expect(buildDist({ root, ifStale: true, compile: failing.compile })).toMatchObject({
      built: true,
      status: 2,
    });
    expect(readStamp(root)).toBeNull();

    const compiler = createCompiler();
    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(true);
    expect(compiler.runs()).toBe(1);
  });

  it('removes an old stamp before compiling, so a failed rebuild is not taken as current', () => {
    const root = createProject();
    buildDist({ root, ifStale: true, compile: createCompiler().compile });
    write(root, 'src/main.ts', 'syntax error here\n');

    buildDist({ root, ifStale: true, compile: createCompiler(2).compile });
    write(root, 'src/main.ts', "import { greet } from './lib/greet.js';\ngreet();\n");

    const compiler = createCompiler();
    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(true);
    expect(compiler.runs()).toBe(1);
  });

  it('always compiles when tsconfig.build.json includes a pattern it cannot follow', () => {
    const root = createProject(['src/**/*.ts']);
    const compiler = createCompiler();
    for (let start = 0; start < 2; start++) {
      expect(buildDist({ root, ifStale: true, compile: compiler.compile })).toMatchObject({
        built: true,
        reason: 'tsconfig.build.json includes a pattern (src/**/*.ts)',
      });
    }
    expect(compiler.runs()).toBe(2);
  });
});

describe('scripts/build-dist.mjs without --if-stale (npm run build)', () => {
  it('compiles every time, and leaves a stamp the next start accepts', () => {
    const root = createProject();
    const compiler = createCompiler();
    for (let build = 0; build < 2; build++) {
      expect(buildDist({ root, ifStale: false, compile: compiler.compile })).toEqual({
        built: true,
        reason: 'asked to build',
        status: 0,
      });
    }
    expect(compiler.runs()).toBe(2);
    expect(buildDist({ root, ifStale: true, compile: compiler.compile }).built).toBe(false);
  });
});

describe('scripts/start.mjs as npm start runs it, with the real tsc', () => {
  it('compiles, skips, compiles after an edit, and runs dist/main.js only after a good build', () => {
    const root = createProject();
    copyFileSync(join(REPO, 'scripts', 'start.mjs'), join(root, 'scripts', 'start.mjs'));
    write(
      root,
      'tsconfig.json',
      `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, types: [] } })}\n`,
    );
    write(
      root,
      'tsconfig.build.json',
      `${JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] })}\n`,
    );
    rmSync(join(root, 'node_modules'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const start = (): { status: number | null; stdout: string; stderr: string } => {
      const { status, stdout, stderr } = spawnSync(process.execPath, ['scripts/start.mjs'], {
        cwd: root,
        encoding: 'utf8',
      });
      return { status, stdout, stderr };
    };
    const greeting = (word: string): string =>
      `export function greet(): void {\n  console.log('${word}');\n}\n`;

    expect(start()).toEqual({
      status: 0,
      stdout: 'hi\n',
      stderr: `build: compiled (no dist/${STAMP_FILE} (never built here))\n`,
    });
    expect(start()).toEqual({
      status: 0,
      stdout: 'hi\n',
      stderr: 'build: dist/ is current, tsc skipped\n',
    });

    write(root, 'src/lib/greet.ts', greeting('bye'));
    expect(start()).toEqual({
      status: 0,
      stdout: 'bye\n',
      stderr: 'build: compiled (src/lib/greet.ts changed)\n',
    });

    // A type error: tsc fails, the service does not start, and the next start compiles again.
    write(root, 'src/lib/greet.ts', greeting('typo').replace('void', 'number'));
    const failed = start();
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toContain('error TS');
    expect(failed.stdout).not.toContain('typo');
    expect(start().stderr).toBe(
      `build: tsc failed with status 2 (no dist/${STAMP_FILE} (never built here))\n`,
    );

    write(root, 'src/lib/greet.ts', greeting('fixed'));
    expect(start()).toMatchObject({ status: 0, stdout: 'fixed\n' });
    expect(start()).toEqual({
      status: 0,
      stdout: 'fixed\n',
      stderr: 'build: dist/ is current, tsc skipped\n',
    });
  }, 120_000);
});
