// Types of scripts/build-dist.mjs, for the tests that import it (it stays plain JavaScript so that
// `npm start` can run it before anything is compiled).

export declare const STAMP_FILE: string;

/** dist/.build-stamp.json: the inputs' hashes and the outputs' [size, mtimeMs] at the last build. */
export interface BuildStamp {
  version: number;
  inputs: Record<string, string>;
  outputs: Record<string, [number, number]>;
}

export interface BuildResult {
  built: boolean;
  reason: string;
  status: number;
}

export declare function readSourceRoots(root: string): { roots: string[] } | { unknown: string };
export declare function listInputs(root: string, sourceRoots: string[]): string[];
export declare function hashInputs(root: string, inputs: string[]): Record<string, string>;
export declare function describeOutputs(root: string): Record<string, [number, number]>;
export declare function readStamp(root: string): BuildStamp | null;
export declare function findStaleness(
  root: string,
  stamp: BuildStamp | null,
  inputs: Record<string, string>,
): string | null;
export declare function buildDist(options: {
  root: string;
  ifStale: boolean;
  compile: (root: string) => number;
}): BuildResult;
export declare function compileWithTsc(root: string): number;
export declare function reportBuild(result: BuildResult): number;
export declare const REPOSITORY_ROOT: string;
